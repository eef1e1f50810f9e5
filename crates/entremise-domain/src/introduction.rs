//! Introductions: a requester reaches a target through one or two
//! intermediaries, each of whom passes the request on or declines; the
//! target accepts or declines. An explicit state machine: every transition
//! says who may make it, and nobody acts twice.

use crate::error::{Error, Forbidden};
use crate::ids::ProfileId;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// Statuses, as API.md names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum IntroductionStatus {
    /// Waiting for the first intermediary.
    Pending,
    /// Passed on at least once; waiting for the next intermediary or the target.
    Forwarded,
    /// The target accepted: requester and target are contacts.
    Accepted,
    Declined,
    /// Nobody acted before the deadline.
    Expired,
}

impl IntroductionStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Forwarded => "forwarded",
            Self::Accepted => "accepted",
            Self::Declined => "declined",
            Self::Expired => "expired",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            Self::Pending,
            Self::Forwarded,
            Self::Accepted,
            Self::Declined,
            Self::Expired,
        ]
        .into_iter()
        .find(|r| r.as_str() == s)
    }

    pub fn is_open(self) -> bool {
        matches!(self, Self::Pending | Self::Forwarded)
    }
}

/// A word written along the way: the requester's note for a hop, or an
/// intermediary's own word when passing it on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IntroductionNote {
    pub author: ProfileId,
    /// Who the note is for.
    pub recipient: ProfileId,
    pub text: String,
    pub at: OffsetDateTime,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Introduction {
    pub id: i64,
    pub requester: ProfileId,
    /// One or two, in order.
    pub intermediaries: Vec<ProfileId>,
    pub target: ProfileId,
    /// Index of the current holder: `0..intermediaries.len()` is an
    /// intermediary, `intermediaries.len()` is the target.
    pub step: usize,
    pub status: IntroductionStatus,
    pub notes: Vec<IntroductionNote>,
    pub created_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
    pub decided_at: Option<OffsetDateTime>,
    /// Who declined, when someone did.
    pub declined_by: Option<ProfileId>,
}

/// What a participant does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IntroductionAction {
    /// The current intermediary passes it on, with his own word.
    Forward { note: String },
    /// The current intermediary, or the target, declines.
    Decline,
    /// The target accepts.
    Accept,
}

impl Introduction {
    /// Everyone on the path, requester first, target last.
    pub fn hops(&self) -> Vec<ProfileId> {
        let mut hops = Vec::with_capacity(self.intermediaries.len() + 2);
        hops.push(self.requester);
        hops.extend(&self.intermediaries);
        hops.push(self.target);
        hops
    }

    /// Who must act now.
    pub fn holder(&self) -> ProfileId {
        self.intermediaries
            .get(self.step)
            .copied()
            .unwrap_or(self.target)
    }

    /// The status at `now`: an open introduction past its deadline is expired.
    pub fn status_at(&self, now: OffsetDateTime) -> IntroductionStatus {
        if self.status.is_open() && now >= self.expires_at {
            IntroductionStatus::Expired
        } else {
            self.status
        }
    }

    /// Whether `who` may know of this introduction: the requester always;
    /// an intermediary or the target once it has reached him.
    pub fn visible_to(&self, who: ProfileId) -> bool {
        if who == self.requester {
            return true;
        }
        if who == self.target {
            return self.step == self.intermediaries.len();
        }
        self.intermediaries
            .iter()
            .position(|i| *i == who)
            .is_some_and(|pos| pos <= self.step)
    }

    /// The introduction after `actor` does `action` at `now`, or why not.
    /// Someone who may not know of it gets `NotFound`; someone whose turn
    /// it is not gets `Forbidden(NotYourTurn)`; a closed one is a `Conflict`.
    pub fn apply(
        &self,
        actor: ProfileId,
        action: &IntroductionAction,
        now: OffsetDateTime,
    ) -> Result<Introduction, Error> {
        if !self.visible_to(actor) {
            return Err(Error::NotFound);
        }
        if !self.status_at(now).is_open() {
            return Err(Error::Conflict { field: "status" });
        }
        if actor != self.holder() {
            return Err(Error::Forbidden(Forbidden::NotYourTurn));
        }
        let at_target = self.step == self.intermediaries.len();
        let mut next = self.clone();
        match action {
            IntroductionAction::Forward { note } => {
                if at_target {
                    return Err(Error::Forbidden(Forbidden::NotYourTurn));
                }
                next.step += 1;
                next.status = IntroductionStatus::Forwarded;
                next.notes.push(IntroductionNote {
                    author: actor,
                    recipient: next.holder(),
                    text: note.clone(),
                    at: now,
                });
            }
            IntroductionAction::Decline => {
                next.status = IntroductionStatus::Declined;
                next.declined_by = Some(actor);
                next.decided_at = Some(now);
            }
            IntroductionAction::Accept => {
                if !at_target {
                    return Err(Error::Forbidden(Forbidden::NotYourTurn));
                }
                next.status = IntroductionStatus::Accepted;
                next.decided_at = Some(now);
            }
        }
        Ok(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use IntroductionAction as A;
    use IntroductionStatus as S;

    const REQ: ProfileId = ProfileId(1);
    const I1: ProfileId = ProfileId(2);
    const I2: ProfileId = ProfileId(3);
    const TARGET: ProfileId = ProfileId(4);
    const OTHER: ProfileId = ProfileId(9);

    fn t(hours: i64) -> OffsetDateTime {
        OffsetDateTime::UNIX_EPOCH + time::Duration::hours(hours)
    }

    fn intro(intermediaries: Vec<ProfileId>) -> Introduction {
        Introduction {
            id: 1,
            requester: REQ,
            intermediaries,
            target: TARGET,
            step: 0,
            status: S::Pending,
            notes: Vec::new(),
            created_at: t(0),
            expires_at: t(24 * 30),
            decided_at: None,
            declined_by: None,
        }
    }

    fn forward() -> A {
        A::Forward {
            note: "He is great".into(),
        }
    }

    fn code(r: Result<Introduction, Error>) -> String {
        match r {
            Ok(i) => i.status.as_str().to_owned(),
            Err(e) => e.code().to_owned(),
        }
    }

    /// Every actor × every action at the first step of a two-hop path.
    #[test]
    fn who_may_act_at_the_first_step() {
        let i = intro(vec![I1, I2]);
        let table = [
            (REQ, forward(), "not_your_turn"),
            (REQ, A::Decline, "not_your_turn"),
            (REQ, A::Accept, "not_your_turn"),
            (I1, forward(), "forwarded"),
            (I1, A::Decline, "declined"),
            (I1, A::Accept, "not_your_turn"),
            (I2, forward(), "not_found"),
            (TARGET, A::Accept, "not_found"),
            (TARGET, A::Decline, "not_found"),
            (OTHER, forward(), "not_found"),
        ];
        for (actor, action, want) in table {
            assert_eq!(
                code(i.apply(actor, &action, t(1))),
                want,
                "{actor:?} {action:?}"
            );
        }
    }

    #[test]
    fn a_full_journey_through_two_intermediaries() {
        let i = intro(vec![I1, I2]);
        let i = i.apply(I1, &forward(), t(1)).unwrap();
        assert_eq!((i.step, i.holder(), i.status), (1, I2, S::Forwarded));
        assert_eq!(i.notes[0].recipient, I2);
        // Nobody acts twice.
        assert_eq!(code(i.apply(I1, &forward(), t(2))), "not_your_turn");
        assert_eq!(code(i.apply(TARGET, &A::Accept, t(2))), "not_found");
        let i = i.apply(I2, &forward(), t(2)).unwrap();
        assert_eq!(i.holder(), TARGET);
        assert!(i.visible_to(TARGET));
        assert_eq!(code(i.apply(I2, &A::Decline, t(3))), "not_your_turn");
        let done = i.apply(TARGET, &A::Accept, t(3)).unwrap();
        assert_eq!(done.status, S::Accepted);
        assert_eq!(done.decided_at, Some(t(3)));
        assert_eq!(code(done.apply(TARGET, &A::Accept, t(4))), "conflict");
        assert_eq!(code(done.apply(TARGET, &A::Decline, t(4))), "conflict");
    }

    #[test]
    fn the_target_cannot_be_asked_to_forward() {
        let i = intro(vec![I1]).apply(I1, &forward(), t(1)).unwrap();
        assert_eq!(code(i.apply(TARGET, &forward(), t(2))), "not_your_turn");
        let declined = i.apply(TARGET, &A::Decline, t(2)).unwrap();
        assert_eq!(
            (declined.status, declined.declined_by),
            (S::Declined, Some(TARGET))
        );
        assert_eq!(code(declined.apply(TARGET, &A::Accept, t(3))), "conflict");
    }

    #[test]
    fn requests_expire() {
        let i = intro(vec![I1]);
        assert_eq!(i.status_at(t(24 * 30 - 1)), S::Pending);
        assert_eq!(i.status_at(t(24 * 30)), S::Expired);
        assert_eq!(code(i.apply(I1, &forward(), t(24 * 31))), "conflict");
        let accepted = intro(vec![I1])
            .apply(I1, &forward(), t(1))
            .unwrap()
            .apply(TARGET, &A::Accept, t(2))
            .unwrap();
        assert_eq!(
            accepted.status_at(t(24 * 365)),
            S::Accepted,
            "a decided one never expires"
        );
    }

    #[test]
    fn visibility_follows_the_request_along_the_path() {
        let i = intro(vec![I1, I2]);
        let seen = |i: &Introduction| [REQ, I1, I2, TARGET, OTHER].map(|p| i.visible_to(p));
        assert_eq!(seen(&i), [true, true, false, false, false]);
        let i = i.apply(I1, &forward(), t(1)).unwrap();
        assert_eq!(seen(&i), [true, true, true, false, false]);
        let i = i.apply(I2, &forward(), t(2)).unwrap();
        assert_eq!(seen(&i), [true, true, true, true, false]);
        assert_eq!(i.hops(), vec![REQ, I1, I2, TARGET]);
    }
}

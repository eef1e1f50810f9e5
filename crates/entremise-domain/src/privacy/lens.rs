//! The privacy lens: one viewer's answers to every question of PRIVACY.md.
//!
//! A [`Lens`] is built once per request from the viewer's identity and the
//! in-memory network (contacts, 2nd degree, blocks, contact-list settings).
//! Use cases ask it, and only it, what the viewer's relation to a member is,
//! whether a block hides a member, whether a field, post, contact, contact
//! list, path hop or counted item is his to see, and how "view as" applies.
//! Nothing outside [`crate::privacy`] computes a relation or reads a block
//! to decide visibility.
//!
//! Invariants (each tested below and against an oracle in
//! `tests/privacy_oracle.rs`):
//! - a member hidden by a block answers exactly like a missing one
//!   ([`Lens::relation`] is `None`), both ways, for everyone but himself;
//! - everything a member holds (fields, posts, their counters, his contacts)
//!   is seen through the viewer's relation to him and the item's audience;
//! - a contact between X and Y is visible when X's or Y's contact list is
//!   and neither is hidden from the viewer;
//! - a path hop is named only when both contacts around it are visible.

use super::{Audience, GraphRelation, Relation, ViewerIdentity};
use crate::error::{Error, Result};
use crate::group::{GroupKind, Membership, Standing};
use crate::ids::{GroupId, ProfileId};
use crate::network::Network;
use crate::relations::RelationSource;
use rustc_hash::FxHashSet as HashSet;
use std::sync::Arc;
use time::OffsetDateTime;

/// Above this many 2nd-degree candidates, [`Lens::gathered`] leaves the
/// 2nd degree to be asked of the graph per member.
const SECOND_DEGREE_GATHER_LIMIT: usize = 200_000;

/// What a viewer may know of a group he may see.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GroupSight {
    pub kind: GroupKind,
    /// His membership (or his page's), whatever its standing.
    pub membership: Option<Membership>,
    /// He sees inside: posts, members, directory, counters.
    pub content: bool,
    /// He approves, invites, removes, bans and pins.
    pub moderates: bool,
}

/// One viewer's view of the network. Cheap to build: an identity and a
/// shared handle on the network; [`Lens::gathered`] adds the sets that make
/// bulk questions (search over thousands of profiles) a few hash look-ups.
#[derive(Clone)]
pub struct Lens {
    identity: Option<ViewerIdentity>,
    network: Arc<Network>,
    near: Option<Arc<Neighbourhood>>,
    /// The time suspensions are judged at (the domain's clock).
    now: OffsetDateTime,
}

/// The viewer's contacts, 2nd degree and blocks, gathered once.
struct Neighbourhood {
    contacts: HashSet<i64>,
    /// `None` when the 2nd degree was too large to gather.
    second: Option<HashSet<i64>>,
    blocked: HashSet<i64>,
}

impl std::fmt::Debug for Lens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Lens")
            .field("viewer", &self.person())
            .field("gathered", &self.near.is_some())
            .finish()
    }
}

impl Lens {
    pub fn new(identity: Option<ViewerIdentity>, network: Arc<Network>) -> Self {
        Self {
            identity,
            network,
            near: None,
            now: OffsetDateTime::now_utc(),
        }
    }

    /// The same lens judging suspensions at `now` (the domain's clock)
    /// rather than the system's.
    pub fn at(mut self, now: OffsetDateTime) -> Self {
        self.now = now;
        self
    }

    /// The same lens with the viewer's contacts, 2nd degree and blocks
    /// gathered up front, for questions about many members at once.
    pub fn gathered(mut self) -> Self {
        let Some(me) = &self.identity else {
            return self;
        };
        let mut contacts = HashSet::default();
        let mut second = Some(HashSet::default());
        let snapshot = self.network.snapshot();
        if let Some(m) = snapshot.dense(me.person.0 as u64) {
            let mine = snapshot.contacts(m);
            let reach: usize = mine.iter().map(|c| snapshot.contact_count_of(*c)).sum();
            contacts.extend(
                mine.iter()
                    .filter_map(|c| snapshot.external(*c))
                    .map(|e| e as i64),
            );
            if reach > SECOND_DEGREE_GATHER_LIMIT {
                second = None;
            } else if let Some(set) = second.as_mut() {
                for c in mine {
                    for x in snapshot.contacts(*c) {
                        if let Some(e) = snapshot.external(*x) {
                            set.insert(e as i64);
                        }
                    }
                }
            }
        }
        // A block ends the contact between the two, so no contact of a
        // contact is reached through a block: the sets need no filter.
        // Suspended members are hidden like blocked ones (but from
        // moderators).
        let mut blocked: HashSet<i64> = self.network.blocked_with(me.person).into_iter().collect();
        if !me.moderator {
            blocked.extend(
                self.suspended_now()
                    .into_iter()
                    .filter(|m| *m != me.person.0),
            );
        }
        self.near = Some(Arc::new(Neighbourhood {
            contacts,
            second,
            blocked,
        }));
        self
    }

    /// The members whose posts the viewer meets first (search ranks them
    /// first): himself, the pages and personas he operates, his contacts.
    /// Empty for an anonymous viewer.
    pub fn nearest(&self) -> Vec<ProfileId> {
        let Some(v) = &self.identity else {
            return Vec::new();
        };
        let Some(near) = &self.near else {
            return self.clone().gathered().nearest();
        };
        let mut out = Vec::with_capacity(1 + v.operated.len() + near.contacts.len());
        out.push(v.person);
        out.extend(v.operated.iter().map(|(p, _)| *p));
        out.extend(near.contacts.iter().copied().map(ProfileId));
        out.sort_unstable();
        out.dedup();
        out
    }

    pub fn identity(&self) -> Option<&ViewerIdentity> {
        self.identity.as_ref()
    }

    /// The viewer's own person profile, when signed in.
    pub fn person(&self) -> Option<ProfileId> {
        self.identity.as_ref().map(|v| v.person)
    }

    pub fn is_signed_in(&self) -> bool {
        self.identity.is_some()
    }

    /// Whether the viewer is `member` or operates it (page or persona role).
    pub fn is_self(&self, member: ProfileId) -> bool {
        self.identity
            .as_ref()
            .is_some_and(|v| v.person == member || v.operates(member).is_some())
    }

    /// Whether the viewer answers for `profile` in its follow-up inbox: it
    /// is his own, or a page or persona where his role answers (editor and
    /// above; an analyst reads figures, not items).
    pub fn answers_for(&self, profile: ProfileId) -> bool {
        self.identity.as_ref().is_some_and(|v| {
            v.person == profile || v.operates(profile).is_some_and(crate::page::Role::edits)
        })
    }

    /// Whether the viewer may see a comment held for review (by the
    /// keyword filters of the page `post_author`): its author and those
    /// who answer for the page do; nobody else until it is published.
    pub fn held_comment(&self, author: ProfileId, post_author: ProfileId) -> bool {
        self.is_self(author) || self.answers_for(post_author)
    }

    /// Whether a block (either way) hides `member` from the viewer.
    /// Instance moderators see through blocks for reported content only,
    /// which is not decided here.
    ///
    /// A suspended member is hidden the same way from everyone but
    /// instance moderators (and himself).
    pub fn hides(&self, member: ProfileId) -> bool {
        let Some(v) = &self.identity else {
            return self.suspended(member);
        };
        if self.is_self(member) {
            return false;
        }
        match &self.near {
            Some(near) => near.blocked.contains(&member.0),
            None => {
                self.network.is_blocked(v.person, member)
                    || (!v.moderator && self.suspended(member))
            }
        }
    }

    /// Whether `member` is suspended now.
    fn suspended(&self, member: ProfileId) -> bool {
        self.network.sanction(member).suspended(self.now)
    }

    /// The members suspended now, sign-ups waiting for approval among
    /// them (everyone `hides` must answer for).
    fn suspended_now(&self) -> Vec<i64> {
        self.network.suspended(self.now, true)
    }

    /// The suspended members who may have written, reacted or commented:
    /// what lists and counters leave out (a sign-up waiting for approval
    /// has done none of that, and would only slow every counter down).
    fn suspended_with_content(&self) -> Vec<i64> {
        self.network.suspended(self.now, false)
    }

    /// Whether the viewer is an instance moderator (or administrator).
    pub fn is_moderator(&self) -> bool {
        self.identity.as_ref().is_some_and(|v| v.moderator)
    }

    /// Whether the viewer muted `member`: his posts and comments stay out
    /// of the viewer's feed and notifications (he is not told).
    pub fn mutes(&self, member: ProfileId) -> bool {
        self.person()
            .is_some_and(|me| me != member && self.network.mutes(me, member))
    }

    /// Whether the viewer muted anyone (most did not: feeds skip the check).
    pub fn mutes_anyone(&self) -> bool {
        self.person()
            .is_some_and(|me| self.network.mutes_anyone(me))
    }

    /// Whether `text` carries one of the viewer's muted words or hashtags.
    pub fn mutes_text(&self, text: &str) -> bool {
        self.person()
            .and_then(|me| self.network.muted_words(me))
            .is_some_and(|words| crate::moderation::mutes_text(&words, text))
    }

    /// Whether the viewer sees content of `author`'s in moderation state
    /// `state`: visible as its audience says; hidden, its author (or his
    /// page's team) and moderators; removed, moderators only.
    pub fn content(&self, author: ProfileId, state: crate::moderation::ContentState) -> bool {
        crate::moderation::content_seen(state, self.is_self(author), self.is_moderator())
    }

    /// [`Self::post`] for a stored post: its moderation state, audience,
    /// group and schedule.
    pub fn stored_post(&self, p: &crate::post::Post, now: OffsetDateTime) -> Option<Relation> {
        if !self.content(p.author, p.state) {
            return None;
        }
        self.post(p.author, p.audience, p.group, p.published_at, now)
    }

    /// Whether the viewer sees a comment under a post of `post_author`'s:
    /// no block hides its author, it is published (or his to see while
    /// held) and its moderation state admits him. A comment hidden under
    /// a post is also seen by those who answer for the post (who hid it
    /// and may show it again).
    pub fn comment(&self, c: &crate::post::Comment, post_author: ProfileId) -> bool {
        use crate::moderation::ContentState;
        !self.hides(c.author)
            && (!c.held || self.held_comment(c.author, post_author))
            && (self.content(c.author, c.state)
                || (c.state == ContentState::Hidden && self.answers_for(post_author)))
    }

    /// Every member a block hides from the viewer, sorted: lists and
    /// counters leave them out in one pass (see [`Self::hides`]).
    pub fn hidden(&self) -> Vec<ProfileId> {
        let Some(v) = &self.identity else {
            let mut hidden: Vec<ProfileId> = self
                .suspended_with_content()
                .into_iter()
                .map(ProfileId)
                .collect();
            hidden.sort_unstable();
            return hidden;
        };
        let mut hidden: Vec<ProfileId> = match &self.near {
            Some(near) => near.blocked.iter().copied().map(ProfileId).collect(),
            None => {
                let mut all: Vec<ProfileId> = self
                    .network
                    .blocked_with(v.person)
                    .into_iter()
                    .map(ProfileId)
                    .collect();
                if !v.moderator {
                    all.extend(self.suspended_with_content().into_iter().map(ProfileId));
                }
                all.sort_unstable();
                all.dedup();
                all
            }
        };
        hidden.retain(|p| !self.is_self(*p));
        hidden.sort_unstable();
        hidden
    }

    /// Whether a block hides anyone at all from the viewer (most members
    /// have none, which spares them any walk for hidden members).
    pub fn hides_anyone(&self) -> bool {
        match (&self.identity, &self.near) {
            (None, _) => !self.suspended_with_content().is_empty(),
            (Some(_), Some(near)) => !near.blocked.is_empty(),
            (Some(v), None) => {
                !self.network.blocked_with(v.person).is_empty()
                    || (!v.moderator && !self.suspended_with_content().is_empty())
            }
        }
    }

    /// Whether a block (either way) stands between two members, for the
    /// rules that join members other than the viewer: a conversation never
    /// joins two members with a block between them, and an introduction
    /// path never carries one across a block.
    pub fn blocked_between(&self, a: ProfileId, b: ProfileId) -> bool {
        a != b && self.network.is_blocked(a, b)
    }

    /// Whether any two of `members` have a block between them.
    pub fn joins_blocked(&self, members: &[ProfileId]) -> bool {
        members.iter().enumerate().any(|(i, a)| {
            members[i + 1..]
                .iter()
                .any(|b| self.blocked_between(*a, *b))
        })
    }

    /// The viewer's relation to `member`, `None` when a block hides him.
    pub fn relation(&self, member: ProfileId) -> Option<Relation> {
        let hidden = self.hides(member);
        super::relation_of(self.identity.as_ref(), member, hidden, || {
            self.graph_relation(member)
        })
    }

    /// [`Self::relation`], answering a hidden member like a missing one.
    pub fn relation_or_not_found(&self, member: ProfileId) -> Result<Relation> {
        self.relation(member).ok_or(Error::NotFound)
    }

    fn graph_relation(&self, member: ProfileId) -> GraphRelation {
        let me = self.person().unwrap_or(ProfileId(0));
        if let Some(near) = &self.near {
            if near.contacts.contains(&member.0) {
                return GraphRelation::Contact;
            }
            if let Some(second) = &near.second {
                return if second.contains(&member.0) {
                    GraphRelation::SecondDegree
                } else {
                    GraphRelation::Farther
                };
            }
        }
        self.network.graph_relation(me, member)
    }

    /// Whether something of `member`'s with `audience` (a field, a list) is
    /// the viewer's to see.
    pub fn admits(&self, member: ProfileId, audience: Audience) -> bool {
        self.relation(member).is_some_and(|r| audience.admits(r))
    }

    /// Whether the viewer may see a post (or anything it holds: comments,
    /// reactions, counters, images) by `author` with `audience`, published
    /// at `published_at`: its audience admits him, no block hides the
    /// author, and it is published unless he is its author. Answers the
    /// relation it was admitted under.
    ///
    /// A post to a group (`group`) is for that group's members: its
    /// `audience` is not asked (it is stored as `only_me`, so that nothing
    /// that forgot the group could widen it); its author keeps seeing it.
    pub fn post(
        &self,
        author: ProfileId,
        audience: Audience,
        group: Option<GroupId>,
        published_at: OffsetDateTime,
        now: OffsetDateTime,
    ) -> Option<Relation> {
        let relation = self.relation(author)?;
        (self.admits_post(author, relation, audience, group)
            && (published_at <= now || relation == Relation::Itself))
            .then_some(relation)
    }

    /// [`Self::post`] without the schedule, for a viewer whose relation to
    /// the author is known (a feed asks it once per author): the audience
    /// admits him, or, for a group's post, he is in the group.
    ///
    /// A limited author's posts reach his contacts at most, whatever their
    /// audience (moderators still see them).
    pub fn admits_post(
        &self,
        author: ProfileId,
        relation: Relation,
        audience: Audience,
        group: Option<GroupId>,
    ) -> bool {
        let admitted = match group {
            Some(g) => relation == Relation::Itself || self.in_group(g),
            None => audience.admits(relation),
        };
        admitted
            && (self.is_moderator()
                || crate::moderation::limited_reaches(relation)
                || !self.network.sanction(author).limited)
    }

    /// [`Self::admits_post`] for a group's post, without the contact graph:
    /// inside a group the degree does not matter (its members see every
    /// post whoever wrote it, unless a block hides the author), so the
    /// feed does not ask the graph about the group's authors.
    pub fn admits_group_post(&self, author: ProfileId, group: GroupId) -> bool {
        let hidden = self.hides(author);
        // Any degree answers alike here; `Farther` spares the graph.
        super::relation_of(self.identity.as_ref(), author, hidden, || {
            GraphRelation::Farther
        })
        .is_some_and(|r| self.admits_post(author, r, Audience::OnlyMe, Some(group)))
    }

    /// The viewer's membership of a group: his own, or, when better, that
    /// of a page or persona he posts for (editor and above). Member beats
    /// invited, which beats pending, which beats banned; then the higher
    /// role wins. So he sees a secret group when he or such a page is in
    /// it or invited, and inside any group when one of them is a member.
    pub fn membership(&self, group: GroupId) -> Option<Membership> {
        let v = self.identity.as_ref()?;
        let rank = |m: &Membership| {
            let standing = match m.standing {
                Standing::Member => 0,
                Standing::Invited => 1,
                Standing::Pending => 2,
                Standing::Banned => 3,
            };
            (standing, m.role)
        };
        let mut best = self.network.membership(group, v.person);
        for (profile, role) in &v.operated {
            if !role.edits() {
                continue;
            }
            if let Some(m) = self.network.membership(group, *profile)
                && best.is_none_or(|b| rank(&m) < rank(&b))
            {
                best = Some(m);
            }
        }
        best
    }

    /// What the viewer may know of a group: `None` when it does not exist
    /// for him (a secret group he is neither in nor invited to, or any
    /// group that is gone): it answers like a missing one.
    pub fn group(&self, group: GroupId) -> Option<GroupSight> {
        let kind = self.network.group_kind(group)?;
        let membership = self.membership(group);
        let standing = membership.map(|m| m.standing);
        crate::group::sees_group(kind, standing).then(|| GroupSight {
            kind,
            membership,
            content: crate::group::sees_content(standing),
            moderates: membership.is_some_and(Membership::moderates),
        })
    }

    /// [`Self::group`], answering a hidden group like a missing one.
    pub fn group_or_not_found(&self, group: GroupId) -> Result<GroupSight> {
        self.group(group).ok_or(Error::NotFound)
    }

    /// Whether the viewer sees inside a group (its posts, members,
    /// directory, counters): he is a member.
    pub fn in_group(&self, group: GroupId) -> bool {
        self.network.group_kind(group).is_some()
            && crate::group::sees_content(self.membership(group).map(|m| m.standing))
    }

    /// The groups whose posts come into the viewer's home feed: those he
    /// is a member of, but the ones he muted.
    pub fn feed_groups(&self) -> Vec<GroupId> {
        let Some(me) = self.person() else {
            return Vec::new();
        };
        self.network.feed_groups(me)
    }

    /// Whether the viewer may post in a group as `author` (himself, or a
    /// page he posts for): that profile is a member of it.
    pub fn posts_in(&self, group: GroupId, author: ProfileId) -> bool {
        self.is_self(author)
            && self.network.group_kind(group).is_some()
            && self
                .network
                .membership(group, author)
                .is_some_and(|m| m.standing == Standing::Member)
    }

    /// Whether the viewer and `member` are both members of some group (the
    /// "contacts and fellow group members" message setting).
    pub fn fellow(&self, member: ProfileId) -> bool {
        self.person()
            .is_some_and(|me| me != member && self.network.fellow_members(me, member))
    }

    /// How many groups the viewer shares with `member` (people you may
    /// know); groups hidden from him count for nothing, being his own.
    pub fn shared_groups(&self, member: ProfileId) -> usize {
        self.person()
            .map_or(0, |me| self.network.shared_groups(me, member))
    }

    /// Whether the viewer may comment on a post of `author`'s whose reply
    /// control is `control` (seeing the post is asked apart): signed in,
    /// and admitted by the control as by an audience. A page's team is
    /// the page itself, so `nobody` still lets it answer.
    pub fn may_comment(&self, author: ProfileId, control: crate::post::ReplyControl) -> bool {
        self.is_signed_in() && self.admits(author, control.audience())
    }

    /// Whether the viewer may see `member`'s contact list (his
    /// contact-list setting, seen through the viewer's relation to him).
    pub fn contact_list(&self, member: ProfileId) -> bool {
        let Some(audience) = self.network.contact_list_of(member) else {
            return false;
        };
        self.admits(member, audience.audience())
    }

    /// Whether the contact between `x` and `y` is visible to the viewer:
    /// he may see `x`'s contact list or `y`'s, and a block hides neither
    /// (a member hidden from him shows in no list, not even his own).
    pub fn contact(&self, x: ProfileId, y: ProfileId) -> bool {
        !self.hides(x) && !self.hides(y) && (self.contact_list(x) || self.contact_list(y))
    }

    /// Whether an intermediary `hop` between `previous` and `next` on an
    /// introduction path may be named: both contacts around it are visible.
    /// Otherwise he is "a contact of" `previous` (`null` in the API).
    pub fn hop(&self, previous: ProfileId, hop: ProfileId, next: ProfileId) -> bool {
        self.contact(previous, hop) && self.contact(hop, next)
    }

    /// What the viewer may do toward `member` (see [`super::actions`]).
    pub fn actions(
        &self,
        member: ProfileId,
        is_person: bool,
        settings: &super::ReachSettings,
    ) -> super::Actions {
        super::actions(
            self.relation(member),
            is_person,
            settings,
            || {
                let me = self.person()?;
                self.network
                    .with_view(me, member, |view| crate::network::degree(view, me, member))
            },
            || self.fellow(member),
        )
    }

    /// "View my profile as": the relation to render `member` with. Only the
    /// member himself (or his page's operators) may ask for a farther one;
    /// anyone else keeps his real relation.
    pub fn view_as(&self, actual: Relation, requested: Option<Relation>) -> Relation {
        super::view_as(actual, requested)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::network::{MemberCard, NetworkBuilder};
    use crate::page::Role;
    use crate::privacy::ContactListAudience;

    fn p(id: i64) -> ProfileId {
        ProfileId(id)
    }

    /// 1–2–3–4 in a line, 5 alone; 6 is a page operated by 1.
    fn network(lists: &[(i64, ContactListAudience)]) -> Arc<Network> {
        let mut b = NetworkBuilder::new();
        for id in 1..=5 {
            let contact_list = lists
                .iter()
                .find(|(m, _)| *m == id)
                .map_or(ContactListAudience::Contacts, |(_, a)| *a);
            b.add_member(
                p(id),
                true,
                MemberCard {
                    handle: format!("m{id}").into(),
                    name: format!("M {id}").into(),
                    contact_list,
                },
            );
        }
        for (x, y) in [(1, 2), (2, 3), (3, 4)] {
            b.add_contact(p(x), p(y));
        }
        Arc::new(b.build().unwrap())
    }

    fn viewer(id: i64) -> Option<ViewerIdentity> {
        Some(ViewerIdentity {
            person: p(id),
            operated: vec![(p(6), Role::Owner)],
            moderator: false,
        })
    }

    #[test]
    fn relations_plain_and_gathered_agree() {
        let net = network(&[]);
        for lens in [
            Lens::new(viewer(1), net.clone()),
            Lens::new(viewer(1), net.clone()).gathered(),
        ] {
            let want = [
                (1, Some(Relation::Itself)),
                (6, Some(Relation::Itself)),
                (2, Some(Relation::Contact)),
                (3, Some(Relation::Network)),
                (4, Some(Relation::Member)),
                (5, Some(Relation::Member)),
            ];
            for (m, r) in want {
                assert_eq!(lens.relation(p(m)), r, "{lens:?} to {m}");
            }
        }
        let anonymous = Lens::new(None, net);
        assert_eq!(anonymous.relation(p(2)), Some(Relation::Anonymous));
    }

    #[test]
    fn blocks_hide_both_ways_even_from_moderators() {
        let net = network(&[]);
        net.block(p(1), p(3));
        let mut moderator = viewer(1);
        if let Some(v) = moderator.as_mut() {
            v.moderator = true;
        }
        for lens in [
            Lens::new(viewer(1), net.clone()),
            Lens::new(moderator, net.clone()).gathered(),
        ] {
            assert!(lens.hides(p(3)));
            assert_eq!(lens.relation(p(3)), None);
            assert!(lens.relation_or_not_found(p(3)).is_err());
        }
        assert_eq!(Lens::new(viewer(3), net.clone()).relation(p(1)), None);
        // Nobody is hidden from himself.
        assert_eq!(
            Lens::new(viewer(3), net).relation(p(3)),
            Some(Relation::Itself)
        );
    }

    #[test]
    fn hidden_agrees_with_relation() {
        let net = network(&[]);
        net.block(p(1), p(3));
        net.block(p(5), p(1));
        net.block(p(4), p(2));
        for lens in [
            Lens::new(viewer(1), net.clone()),
            Lens::new(viewer(1), net.clone()).gathered(),
        ] {
            let hidden = lens.hidden();
            assert_eq!(hidden, [p(3), p(5)]);
            for m in 1..=6 {
                assert_eq!(hidden.contains(&p(m)), lens.relation(p(m)).is_none());
            }
            assert!(lens.hides_anyone());
        }
        assert!(Lens::new(None, net.clone()).hidden().is_empty());
        assert!(!Lens::new(viewer(2), network(&[])).hides_anyone());
    }

    #[test]
    fn suspended_members_are_hidden_and_pending_sign_ups_counted_out_of_nothing() {
        use crate::moderation::Sanction;
        let now = time::macros::datetime!(2026-12-07 12:00 UTC);
        let net = network(&[]);
        net.set_sanction(
            p(3),
            Sanction {
                limited: false,
                suspended_until: Some(now + time::Duration::days(7)),
            },
        );
        net.set_sanction(p(4), Sanction::pending());
        let mut moderator = viewer(1);
        if let Some(v) = moderator.as_mut() {
            v.moderator = true;
        }
        for lens in [
            Lens::new(viewer(1), net.clone()).at(now),
            Lens::new(None, net.clone()).at(now),
        ] {
            // Both answer like missing members...
            assert!(lens.relation(p(3)).is_none() && lens.relation(p(4)).is_none());
            // ...but only the one who may have written is left out of
            // counters: a pending sign-up has nothing to count.
            assert_eq!(lens.hidden(), [p(3)]);
            assert!(lens.hides_anyone());
        }
        let m = Lens::new(moderator, net.clone()).at(now);
        assert!(m.relation(p(3)).is_some() && m.relation(p(4)).is_some());
        assert!(m.hidden().is_empty());
        // Past its end, a suspension hides no more.
        let later = Lens::new(viewer(1), net.clone()).at(now + time::Duration::days(8));
        assert!(later.relation(p(3)).is_some() && later.relation(p(4)).is_none());
        assert!(later.hidden().is_empty());
    }

    #[test]
    fn a_block_cuts_the_second_degree_through_it() {
        let net = network(&[]);
        net.block(p(2), p(4));
        // 1 reaches 3 through 2; 2 is blocked with 4, not with 1 or 3.
        for lens in [
            Lens::new(viewer(1), net.clone()),
            Lens::new(viewer(1), net.clone()).gathered(),
        ] {
            assert_eq!(lens.relation(p(3)), Some(Relation::Network));
        }
        net.block(p(1), p(2));
        for lens in [
            Lens::new(viewer(1), net.clone()),
            Lens::new(viewer(1), net.clone()).gathered(),
        ] {
            assert_eq!(lens.relation(p(3)), Some(Relation::Member));
        }
    }

    #[test]
    fn contacts_and_hops_follow_contact_lists() {
        // 3 shows his list to members; 2 and 4 keep theirs to contacts.
        let net = network(&[(3, ContactListAudience::Members)]);
        let lens = Lens::new(viewer(1), net.clone());
        // 1 sees his own list, so 1–2; 2–3 through 3's list.
        assert!(lens.contact(p(1), p(2)));
        assert!(lens.contact(p(2), p(3)));
        assert!(lens.contact(p(3), p(4)));
        assert!(lens.hop(p(1), p(2), p(3)));
        let net = network(&[]);
        let lens = Lens::new(viewer(1), net);
        // 2 is his contact, but 2–3 is in nobody's list he may see.
        assert!(lens.contact(p(1), p(2)));
        assert!(
            lens.contact(p(2), p(3)),
            "2's list is for contacts: 1 is one"
        );
        assert!(!lens.contact(p(3), p(4)));
        assert!(!lens.hop(p(2), p(3), p(4)));
    }

    #[test]
    fn a_hidden_member_shows_in_no_contact_list() {
        // 3 shows his list to members; 1 blocks 4, a contact of 3.
        let net = network(&[(3, ContactListAudience::Members)]);
        net.block(p(1), p(4));
        for lens in [
            Lens::new(viewer(1), net.clone()),
            Lens::new(viewer(1), net.clone()).gathered(),
        ] {
            assert!(lens.contact(p(2), p(3)));
            assert!(!lens.contact(p(3), p(4)), "4 is hidden from 1");
            assert!(!lens.hop(p(2), p(3), p(4)));
        }
        // Nor in his own list: 4 blocks 3, his contact until then.
        let net = network(&[]);
        net.block(p(4), p(3));
        let lens = Lens::new(viewer(3), net);
        assert!(!lens.contact(p(3), p(4)));
    }

    #[test]
    fn posts_follow_audience_block_and_schedule() {
        let net = network(&[]);
        let lens = Lens::new(viewer(1), net.clone());
        let now = OffsetDateTime::UNIX_EPOCH + time::Duration::days(1);
        let later = now + time::Duration::hours(1);
        assert!(
            lens.post(p(2), Audience::Contacts, None, now, now)
                .is_some()
        );
        assert!(
            lens.post(p(3), Audience::Contacts, None, now, now)
                .is_none()
        );
        assert!(lens.post(p(3), Audience::Network, None, now, now).is_some());
        assert!(
            lens.post(p(2), Audience::Public, None, later, now)
                .is_none()
        );
        assert!(
            lens.post(p(6), Audience::OnlyMe, None, later, now)
                .is_some()
        );
        net.block(p(2), p(1));
        assert!(lens.post(p(2), Audience::Public, None, now, now).is_none());
        let anonymous = Lens::new(None, net);
        assert!(
            anonymous
                .post(p(2), Audience::Public, None, now, now)
                .is_some()
        );
        assert!(
            anonymous
                .post(p(2), Audience::Members, None, now, now)
                .is_none()
        );
    }

    #[test]
    fn groups_are_for_their_members() {
        use crate::group::GroupRole;
        let net = network(&[]);
        let (open, secret) = (GroupId(1), GroupId(2));
        let card = |kind, h: &str| {
            Some(crate::network::GroupCard {
                kind,
                handle: h.into(),
                name: h.into(),
            })
        };
        net.set_group(open, card(GroupKind::Open, "open"));
        net.set_group(secret, card(GroupKind::Secret, "secret"));
        // 4 is a member of both, 3 pending in the open one, 2 invited to
        // the secret one; page 6 (operated by 1) owns the secret one.
        net.set_membership(open, p(4), Some(Membership::MEMBER));
        net.set_membership(secret, p(4), Some(Membership::MEMBER));
        net.set_membership(open, p(3), Some(Membership::of(Standing::Pending)));
        net.set_membership(secret, p(2), Some(Membership::of(Standing::Invited)));
        let owner = Membership {
            standing: Standing::Member,
            role: GroupRole::Owner,
        };
        net.set_membership(secret, p(6), Some(owner));
        let now = OffsetDateTime::UNIX_EPOCH + time::Duration::days(1);
        let sees = |viewer: Option<ViewerIdentity>, g| {
            let lens = Lens::new(viewer, net.clone());
            (
                lens.group(g).is_some(),
                lens.in_group(g),
                lens.post(p(4), Audience::Public, Some(g), now, now)
                    .is_some(),
            )
        };
        let only = |id: i64| {
            Some(ViewerIdentity {
                person: p(id),
                operated: Vec::new(),
                moderator: false,
            })
        };
        assert_eq!(sees(only(4), open), (true, true, true));
        assert_eq!(sees(only(3), open), (true, false, false));
        assert_eq!(sees(None, open), (true, false, false));
        assert_eq!(sees(only(2), secret), (true, false, false));
        assert_eq!(sees(only(3), secret), (false, false, false));
        assert_eq!(sees(None, secret), (false, false, false));
        // 1 acts for page 6, the owner.
        assert_eq!(sees(viewer(1), secret), (true, true, true));
        assert!(
            Lens::new(viewer(1), net.clone())
                .group(secret)
                .unwrap()
                .moderates
        );
        // Banned from the secret group: it is gone for him, but for his
        // own posts (the third answer asks about a post of his).
        net.set_membership(secret, p(4), Some(Membership::of(Standing::Banned)));
        assert_eq!(sees(only(4), secret), (false, false, true));
        assert_eq!(sees(only(2), secret), (true, false, false));
        // The author keeps his own post; a block still hides it.
        let author = Lens::new(only(4), net.clone());
        assert!(
            author
                .post(p(4), Audience::OnlyMe, Some(secret), now, now)
                .is_some()
        );
        assert!(
            Lens::new(only(5), net.clone())
                .post(p(4), Audience::Public, Some(open), now, now)
                .is_none()
        );
        net.set_membership(open, p(5), Some(Membership::MEMBER));
        assert!(Lens::new(only(5), net.clone()).fellow(p(4)));
        net.block(p(5), p(4));
        assert!(
            Lens::new(only(5), net.clone())
                .post(p(4), Audience::Public, Some(open), now, now)
                .is_none()
        );
        // The feed's shortcut for a group's posts answers like the
        // relation would, for every viewer, author and group, before and
        // after the group is gone.
        let agrees = |net: &Arc<Network>| {
            let viewers = [None, only(1), only(2), only(3), only(4), only(5), viewer(1)];
            for v in viewers {
                let lens = Lens::new(v, net.clone());
                for author in (1..=6).map(p) {
                    for g in [open, secret] {
                        let by_relation = lens.relation(author).is_some_and(|r| {
                            lens.admits_post(author, r, Audience::OnlyMe, Some(g))
                        });
                        assert_eq!(lens.admits_group_post(author, g), by_relation);
                    }
                }
            }
        };
        agrees(&net);
        // A group that is gone is gone for everyone.
        net.set_group(open, None);
        let gone = Lens::new(only(4), net.clone());
        assert!(gone.group(open).is_none() && !gone.in_group(open));
        assert!(!gone.posts_in(open, p(4)));
        agrees(&net);
    }

    #[test]
    fn view_as_is_for_oneself() {
        let lens = Lens::new(viewer(1), network(&[]));
        let me = lens.relation(p(1)).unwrap();
        assert_eq!(
            lens.view_as(me, Some(Relation::Anonymous)),
            Relation::Anonymous
        );
        let other = lens.relation(p(2)).unwrap();
        assert_eq!(
            lens.view_as(other, Some(Relation::Anonymous)),
            Relation::Contact
        );
    }
}

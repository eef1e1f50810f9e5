//! How posts are shown: their views with counters the viewer may see, his
//! reactions, authors labelled for him, and reshared originals checked on
//! their own.

use super::*;

impl Posts {
    /// What the counters shown to this viewer leave out: members a block
    /// hides from him, reshares not yet published, and (anonymous) those
    /// for members.
    pub(super) fn counts_for(&self, viewer: &Viewer, now: OffsetDateTime) -> CountsFor {
        CountsFor {
            hidden: self.core.lens(viewer).hidden(),
            signed_in: viewer.signed_in.is_some(),
            now,
        }
    }

    /// The counters the viewer may see: the store's, plus each narrower
    /// reshare whose audience admits his relation to its resharer.
    pub(super) fn counts_seen_by(
        &self,
        viewer: &Viewer,
        stored: HashMap<i64, StoredCounts>,
    ) -> HashMap<i64, PostCounts> {
        let lens = self.core.lens(viewer);
        let mut relations = FxHashMap::default();
        stored
            .into_iter()
            .map(|(id, c)| {
                let narrow = c.narrow_reshares.iter().filter(|(resharer, audience)| {
                    let relation = *relations
                        .entry(*resharer)
                        .or_insert_with(|| lens.relation(*resharer));
                    relation.is_some_and(|r| audience.admits(r))
                });
                let counts = PostCounts {
                    reactions: c.reactions,
                    comments: c.comments,
                    reshares: c.reshares + narrow.count() as u64,
                };
                (id, counts)
            })
            .collect()
    }

    /// How an author or commenter is labelled for the viewer. A person's
    /// name is for members at least; an anonymous viewer sees it only when
    /// the person made it public, and his handle otherwise.
    pub(super) async fn profile_ref_cached(
        &self,
        viewer: &Viewer,
        id: ProfileId,
        cache: &mut HashMap<ProfileId, ProfileRef>,
    ) -> Result<ProfileRef> {
        if let Some(r) = cache.get(&id) {
            return Ok(r.clone());
        }
        let r = match self.core.network.card(id) {
            Some(card) => {
                let handle = crate::validate::Handle::parse(&card.handle)
                    .map_err(|_| Error::internal("a stored handle does not parse"))?;
                let name = if viewer.signed_in.is_some() {
                    card.name.to_string()
                } else {
                    let profile = self.core.store.profile(id).await?.ok_or(Error::NotFound)?;
                    let view = crate::profile::ProfileView::build(
                        &profile,
                        &[],
                        None,
                        Relation::Anonymous,
                    );
                    view.name.unwrap_or_else(|| handle.to_string())
                };
                ProfileRef {
                    handle,
                    name,
                    kind: ProfileKind::Person,
                    persona_of: None,
                }
            }
            None => self.core.profile_ref_of(id).await?,
        };
        cache.insert(id, r.clone());
        Ok(r)
    }

    /// Views of posts the viewer may see, with counters and his reactions
    /// read for all of them at once.
    pub(super) async fn post_views(
        &self,
        viewer: &Viewer,
        posts: &[(Post, Relation)],
        now: OffsetDateTime,
    ) -> Result<Vec<PostView>> {
        let ids: Vec<i64> = posts.iter().map(|(p, _)| p.id).collect();
        let counts = self
            .core
            .store
            .post_counts(&ids, &self.counts_for(viewer, now))
            .await?;
        let counts = self.counts_seen_by(viewer, counts);
        let mine = match viewer.signed_in.as_ref() {
            Some(me) => {
                self.core
                    .store
                    .reactions_of_member(&ids, me.identity.person)
                    .await?
            }
            None => HashMap::new(),
        };
        self.post_views_from(viewer, posts, now, counts, mine).await
    }

    /// [`Self::post_views`] with counters and reactions already read.
    pub(super) async fn post_views_from(
        &self,
        viewer: &Viewer,
        posts: &[(Post, Relation)],
        now: OffsetDateTime,
        mut counts: HashMap<i64, PostCounts>,
        mut mine: HashMap<i64, ReactionKind>,
    ) -> Result<Vec<PostView>> {
        let mut refs = HashMap::new();
        let mut out = Vec::with_capacity(posts.len());
        for (p, r) in posts {
            let extra = (counts.remove(&p.id).unwrap_or_default(), mine.remove(&p.id));
            out.push(
                self.post_view_with(viewer, p, *r, now, extra, &mut refs)
                    .await?,
            );
        }
        Ok(out)
    }

    /// The view of a post the viewer may see.
    pub(super) async fn post_view(
        &self,
        viewer: &Viewer,
        p: &Post,
        relation: Relation,
        now: OffsetDateTime,
    ) -> Result<PostView> {
        let mut views = self
            .post_views(viewer, &[(p.clone(), relation)], now)
            .await?;
        views.pop().ok_or(Error::NotFound)
    }

    pub(super) async fn post_view_with(
        &self,
        viewer: &Viewer,
        p: &Post,
        relation: Relation,
        now: OffsetDateTime,
        (counts, my_reaction): (PostCounts, Option<ReactionKind>),
        refs: &mut HashMap<ProfileId, ProfileRef>,
    ) -> Result<PostView> {
        let reshare_of = match p.reshare_of {
            None => None,
            Some(id) => {
                let original = match self.core.store.post(id).await? {
                    Some(o) => self.may_see(viewer, &o, now).map(|r| (o, r)),
                    None => None,
                };
                let post = match original {
                    Some((o, r)) => Some(Box::new(
                        Box::pin(self.post_view(viewer, &o, r, now)).await?,
                    )),
                    None => None,
                };
                Some(Reshared { post })
            }
        };
        // A post to a group is seen by its members only, who see the group.
        let group = p
            .group
            .and_then(|g| self.core.network.group_card(g))
            .map(|c| crate::group::GroupRef {
                handle: c.handle.into(),
                name: c.name.into(),
            });
        let audience = match &group {
            Some(g) => crate::post::PostAudience::Group(g.handle.clone()),
            None => crate::post::PostAudience::Plain(p.audience),
        };
        Ok(PostView {
            id: p.id,
            author: self.profile_ref_cached(viewer, p.author, refs).await?,
            author_id: p.author,
            audience,
            group,
            text: p.text.clone(),
            images: p
                .images
                .iter()
                .map(|i| ImageView {
                    id: i.id,
                    url: format!("/media/{}", i.id),
                    alt: i.alt.clone(),
                    width: i.width,
                    height: i.height,
                })
                .collect(),
            hashtags: post::hashtags(&p.text),
            mentions: post::mentions(&p.text),
            published_at: p.published_at,
            edited_at: p.edited_at,
            scheduled: p.published_at > now,
            reshare_of,
            counts,
            my_reaction,
            mine: relation == Relation::Itself && self.writes_as(viewer, p.author),
            replies: p.replies,
            may_comment: self.core.lens(viewer).may_comment(p.author, p.replies),
        })
    }
}

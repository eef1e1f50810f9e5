//! The home feed, a profile's posts, and follows of pages: pages of posts
//! chosen from the in-memory keys, each admitted by the viewer's lens.

use super::*;

impl Posts {
    /// Follows a page (organization, brand or persona).
    pub async fn follow(&self, viewer: &Viewer, handle: &str, follow: bool) -> Result<()> {
        let me = viewer.require()?;
        let (profile, _) = self.core.visible_profile(viewer, handle).await?;
        if !profile.kind.is_page() {
            return Err(Error::invalid(
                "handle",
                "not_a_page",
                "members follow pages; persons are reached as contacts",
            ));
        }
        let person = me.identity.person;
        let done = if follow {
            self.core
                .store
                .follow(person, profile.id, self.core.clock.now())
                .await
        } else {
            self.core
                .store
                .unfollow(person, profile.id)
                .await
                .map(|_| ())
        };
        self.forget_followed(person);
        done
    }

    /// The pages a member follows, kept in memory (cleared by his follows
    /// and unfollows): the feed asks on every page.
    pub(super) async fn followed(&self, person: ProfileId) -> Result<Arc<Vec<ProfileId>>> {
        if let Some(pages) = self
            .followed
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&person)
        {
            return Ok(pages.clone());
        }
        let pages = Arc::new(self.core.store.followed_pages(person).await?);
        self.followed
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(person, pages.clone());
        Ok(pages)
    }

    pub(super) fn forget_followed(&self, person: ProfileId) {
        self.followed
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&person);
    }

    /// Whether the viewer follows a page.
    pub async fn follows(&self, viewer: &Viewer, page: ProfileId) -> Result<bool> {
        let Some(me) = viewer.signed_in.as_ref() else {
            return Ok(false);
        };
        Ok(self.followed(me.identity.person).await?.contains(&page))
    }

    /// Posts of one profile the viewer may see, newest first.
    pub async fn posts_of(
        &self,
        viewer: &Viewer,
        handle: &str,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<FeedPage> {
        let (profile, _) = self.core.visible_profile(viewer, handle).await?;
        self.page_of_posts(viewer, &[profile.id], &[], cursor, limit)
            .await
    }

    /// A page of a profile's posts with the profile as the viewer may name
    /// it (the page listing them); not a visit of the profile.
    pub async fn author_posts(
        &self,
        viewer: &Viewer,
        handle: &str,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<AuthorPosts> {
        let (profile, relation) = self.core.visible_profile(viewer, handle).await?;
        let view = self.core.build_view(&profile, relation).await?;
        let page = self
            .page_of_posts(viewer, &[profile.id], &[], cursor, limit)
            .await?;
        let author = ProfileRef {
            handle: profile.handle.clone(),
            name: view.display_name().to_owned(),
            kind: profile.kind,
            persona_of: None,
        };
        let author = self.core.labelled(profile.id, author).await?;
        Ok(AuthorPosts { author, page })
    }

    /// The first posts of a profile already resolved for the viewer, and,
    /// for the editors of a page, its scheduled posts.
    pub(crate) async fn profile_posts(
        &self,
        viewer: &Viewer,
        profile: &Profile,
        limit: usize,
    ) -> Result<(FeedPage, Vec<PostView>)> {
        let page = self
            .page_of_posts(viewer, &[profile.id], &[], None, limit)
            .await?;
        let edits = viewer
            .identity()
            .and_then(|v| v.operates(profile.id))
            .is_some_and(|r| r.edits());
        let scheduled = if profile.kind.is_page() && edits {
            let now = self.core.clock.now();
            let posts = self.core.store.scheduled_posts(profile.id, now).await?;
            let with: Vec<(Post, Relation)> =
                posts.into_iter().map(|p| (p, Relation::Itself)).collect();
            self.post_views(viewer, &with, now).await?
        } else {
            Vec::new()
        };
        Ok((page, scheduled))
    }

    /// A group's discussions, newest first: for its members only (others
    /// get `group_members_only`; a secret group is not found).
    pub async fn group_feed(
        &self,
        viewer: &Viewer,
        handle: &str,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<FeedPage> {
        let group = self.core.group_by_handle(viewer, handle).await?;
        if !self.core.lens(viewer).in_group(group.id) {
            return Err(Error::Forbidden(Forbidden::GroupMembersOnly));
        }
        let mut page = self
            .page_of_posts(viewer, &[], &[group.id], cursor, limit)
            .await?;
        self.leave_out_muted(viewer, &mut page);
        Ok(page)
    }

    /// Leaves out of a feed the posts of members the viewer muted and
    /// those carrying his muted words (a page may come out shorter; its
    /// cursor still goes on from where the keys stopped).
    fn leave_out_muted(&self, viewer: &Viewer, page: &mut FeedPage) {
        let lens = self.core.lens(viewer);
        let mutes_anyone = lens.mutes_anyone();
        page.items
            .retain(|p| !(lens.mutes_text(&p.text) || mutes_anyone && lens.mutes(p.author_id)));
    }

    /// The home feed: posts of the viewer's contacts, the pages he follows,
    /// the groups he is a member of (but those he muted) and his own,
    /// newest first; `ranked` orders the last two weeks by
    /// engagement instead.
    pub async fn feed(
        &self,
        viewer: &Viewer,
        cursor: Option<&str>,
        limit: usize,
        ranked: bool,
    ) -> Result<FeedPage> {
        let me = viewer.require()?;
        let mut authors: Vec<ProfileId> = vec![me.identity.person];
        authors.extend(me.identity.operated.iter().map(|(p, _)| *p));
        let snapshot = self.core.network.snapshot();
        if let Some(m) = snapshot.dense(me.identity.person.0 as u64) {
            authors.extend(
                snapshot
                    .contacts(m)
                    .iter()
                    .filter_map(|c| snapshot.external(*c))
                    .map(|e| ProfileId(e as i64)),
            );
        }
        authors.extend(self.followed(me.identity.person).await?.iter().copied());
        authors.sort_unstable();
        authors.dedup();
        let groups = self.core.lens(viewer).feed_groups();
        let mut page = if ranked {
            self.ranked_feed(viewer, &authors, &groups, cursor, limit)
                .await?
        } else {
            self.page_of_posts(viewer, &authors, &groups, cursor, limit)
                .await?
        };
        self.leave_out_muted(viewer, &mut page);
        // The reach of pages' posts: those shown, in one store call.
        self.visits.record_post_views(viewer, &page.items).await?;
        Ok(page)
    }

    pub(super) async fn page_of_posts(
        &self,
        viewer: &Viewer,
        authors: &[ProfileId],
        groups: &[GroupId],
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<FeedPage> {
        check_limit(limit)?;
        let before = cursor
            .map(parse_cursor)
            .transpose()?
            .map(|(at, id)| (timeline::nanos(at), id));
        let now = self.core.clock.now();
        // The keys in memory choose the page, the privacy module admitting
        // each for the viewer's relation to its author; one store call
        // then reads those posts, their counters and his reactions.
        let page = self.core.timelines.page(
            authors,
            groups,
            before,
            timeline::nanos(now),
            limit + 1,
            FEED_SCAN,
            self.admits_keys(viewer),
        );
        let next = match (page.keys.get(limit - 1), page.keys.len() > limit) {
            (Some((_, last)), true) => Some(format!("{}.{}", last.at, last.id)),
            _ => page.stopped_at.map(|(at, id)| format!("{at}.{id}")),
        };
        let ids: Vec<i64> = page.keys.iter().take(limit).map(|(_, k)| k.id).collect();
        let (shown, counts, mine) = self.read_visible(viewer, &ids, now).await?;
        let items = self
            .post_views_from(viewer, &shown, now, counts, mine)
            .await?;
        Ok(FeedPage { items, next })
    }

    /// Whether the viewer may see a post by its key: the privacy module asks
    /// his relation to the author (once per author), or, for a group's
    /// post, whether he is in the group and no block hides the author.
    pub(super) fn admits_keys<'a>(
        &'a self,
        viewer: &'a Viewer,
    ) -> impl FnMut(ProfileId, Option<GroupId>, &PostKey) -> bool + 'a {
        let lens = self.core.lens(viewer);
        let mut relations = FxHashMap::default();
        move |author, group, key| match group {
            Some(g) => lens.admits_group_post(author, g),
            None => relations
                .entry(author)
                .or_insert_with(|| lens.relation(author))
                .is_some_and(|r| lens.admits_post(author, r, key.audience, None)),
        }
    }

    /// The posts read from the store that the viewer may see: the stored
    /// rows decide, whatever the keys that chose them said.
    /// Reads the chosen posts with their counters and the viewer's
    /// reactions in one store call, and keeps those he may see (the stored
    /// rows decide), with the counters as he may see them.
    async fn read_visible(
        &self,
        viewer: &Viewer,
        ids: &[i64],
        now: OffsetDateTime,
    ) -> Result<(
        Vec<(Post, Relation)>,
        HashMap<i64, PostCounts>,
        HashMap<i64, ReactionKind>,
    )> {
        let member = viewer.signed_in.as_ref().map(|s| s.identity.person);
        let counts_for = self.counts_for(viewer, now);
        let batch = self
            .core
            .store
            .posts_with_counts(ids, member, &counts_for)
            .await?;
        let shown = self.visible_of(viewer, batch.posts, now);
        let counts = self.counts_seen_by(viewer, batch.counts);
        Ok((shown, counts, batch.mine))
    }

    pub(super) fn visible_of(
        &self,
        viewer: &Viewer,
        posts: Vec<Post>,
        now: OffsetDateTime,
    ) -> Vec<(Post, Relation)> {
        let lens = self.core.lens(viewer);
        posts
            .into_iter()
            .filter(|p| p.published_at <= now)
            .filter_map(|p| lens.stored_post(&p, now).map(|r| (p, r)))
            .collect()
    }

    /// The last two weeks' posts ranked by engagement, a page at a time:
    /// an offset into the ranking of [`RANKED_POOL`] posts at most.
    pub(super) async fn ranked_feed(
        &self,
        viewer: &Viewer,
        authors: &[ProfileId],
        groups: &[GroupId],
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<FeedPage> {
        check_limit(limit)?;
        let offset = cursor
            .map(crate::paging::parse_offset)
            .transpose()?
            .unwrap_or(0);
        let now = self.core.clock.now();
        let since = now - Duration::days(RANKED_WINDOW_DAYS);
        let pool = self.core.timelines.recent(
            authors,
            groups,
            timeline::nanos(since),
            timeline::nanos(now),
            RANKED_POOL,
            self.admits_keys(viewer),
        );
        let ids: Vec<i64> = pool.iter().map(|(_, k)| k.id).collect();
        let (visible, counts, mine) = self.read_visible(viewer, &ids, now).await?;
        let mut scored: Vec<(f64, (Post, Relation))> = visible
            .into_iter()
            .map(|(p, r)| {
                let c = counts.get(&p.id).cloned().unwrap_or_default();
                let hours = (now - p.published_at).whole_minutes().max(0) as f64 / 60.0;
                let engagement =
                    1.0 + c.reactions as f64 + 2.0 * c.comments as f64 + 3.0 * c.reshares as f64;
                (engagement / (hours + 2.0).powf(1.2), (p, r))
            })
            .collect();
        scored.sort_by(|a, b| b.0.total_cmp(&a.0));
        let end = offset.saturating_add(limit);
        let next = (scored.len() > end).then(|| end.to_string());
        let chosen: Vec<(Post, Relation)> = scored
            .into_iter()
            .take(end)
            .skip(offset)
            .map(|(_, x)| x)
            .collect();
        let items = self
            .post_views_from(viewer, &chosen, now, counts, mine)
            .await?;
        Ok(FeedPage { items, next })
    }
}

/// A feed page holds 1 to [`MAX_FEED_LIMIT`] posts.
fn check_limit(limit: usize) -> Result<()> {
    if (1..=MAX_FEED_LIMIT).contains(&limit) {
        Ok(())
    } else {
        Err(Error::invalid(
            "limit",
            "out_of_range",
            format!("between 1 and {MAX_FEED_LIMIT}"),
        ))
    }
}

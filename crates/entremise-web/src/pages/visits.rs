//! `/settings/visitors` (who viewed my profile) and `/@page/stats` (a
//! page's statistics, for its managers).

use super::{Layout, PageError, at_handle, render};
use crate::auth::Ctx;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use entremise_domain::service::{KindStats, PageStats, PostStats, Visitor};

/// Visitors the page lists.
const VISITORS: usize = 100;

#[derive(Template)]
#[template(path = "visitors.html")]
struct VisitorsPage {
    l: Layout,
    items: Vec<Visitor>,
    anonymous_count: u64,
}

pub async fn visitors(State(state): State<AppState>, ctx: Ctx) -> Result<Response, PageError> {
    let page = state
        .app
        .visits()
        .profile_visitors(&ctx.viewer, VISITORS)
        .await?;
    let l = Layout::new(
        &state,
        &ctx,
        state.catalog.get(ctx.locale, "visitors_title"),
    );
    Ok(render(&VisitorsPage {
        l,
        items: page.items,
        anonymous_count: page.anonymous_count,
    }))
}

/// One kind of posts, its averages written out.
struct KindRow {
    label: String,
    posts: u64,
    average_reshares: String,
    average_reach: String,
}

fn kind_row(label: &str, k: &KindStats) -> KindRow {
    KindRow {
        label: label.to_owned(),
        posts: k.posts,
        average_reshares: format!("{:.1}", k.average_reshares),
        average_reach: format!("{:.1}", k.average_reach),
    }
}

#[derive(Template)]
#[template(path = "page_stats.html")]
struct StatsPage {
    l: Layout,
    handle: String,
    name: String,
    posts: Vec<PostStats>,
    kinds: Vec<KindRow>,
}

pub async fn page_stats(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(at): Path<String>,
) -> Result<Response, PageError> {
    let handle = at_handle(&at)?;
    let stats: PageStats = state.app.visits().page_stats(&ctx.viewer, handle).await?;
    let l = Layout::new(&state, &ctx, state.catalog.get(ctx.locale, "stats_title"));
    let kinds = vec![
        kind_row(l.t("stats_image_posts"), &stats.image_posts),
        kind_row(l.t("stats_text_posts"), &stats.text_posts),
    ];
    Ok(render(&StatsPage {
        handle: stats.page.handle.to_string(),
        name: stats.page.name,
        posts: stats.posts,
        kinds,
        l,
    }))
}

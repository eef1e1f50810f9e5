//! `/settings/visitors` (who viewed my profile) and `/@page/stats` (a
//! page's statistics, for its managers).

use super::{Layout, PageError, at_handle, render};
use crate::auth::Ctx;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use entremise_domain::service::{InboxStats, KindStats, PageStats, PostStats, Visitor};

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

/// One week of a page's response times, written out, with its bar.
struct WeekRow {
    week: String,
    opened: u64,
    answered: u64,
    /// The median first answer in words ("3 h"); `None`: no answer yet.
    median: Option<String>,
    /// The share within target ("75 %"); `None`: nothing decided yet.
    share: Option<String>,
    /// The bar's height in the chart's units (0 to [`CHART_HEIGHT`] less
    /// [`CHART_TOP`]).
    bar: u32,
    /// The bar's left edge.
    x: u32,
    /// The bar's top edge.
    y: u32,
    /// The bar's text for assistive technologies.
    title: String,
}

/// The chart's drawing height, and each week's slot width, in its units.
const CHART_HEIGHT: u32 = 100;
const CHART_SLOT: u32 = 40;
/// Where a full bar (100 %) reaches, from the top.
const CHART_TOP: u32 = 4;
/// The room left of the bars for the scale's labels.
const CHART_LEFT: u32 = 40;

/// A page's response times: open items now and the weeks' figures.
struct Responses {
    lead: String,
    open: String,
    weeks: Vec<WeekRow>,
    /// The chart's width (a slot per week).
    width: u32,
}

fn responses(l: &Layout, s: &InboxStats) -> Responses {
    let target =
        super::inbox::duration(l, time::Duration::hours(i64::from(s.response_target_hours)));
    let weeks = s
        .weeks
        .iter()
        .enumerate()
        .map(|(i, w)| {
            let share = w.share_within_target.map(|f| f.clamp(0.0, 1.0));
            let percent = share.map(|f| format!("{:.0} %", f * 100.0));
            let bar = share.map_or(0, |f| {
                (f * f64::from(CHART_HEIGHT - CHART_TOP)).round() as u32
            });
            let title = match &percent {
                Some(p) => l
                    .t("stats_chart_bar")
                    .replace("{week}", &w.week)
                    .replace("{share}", p),
                None => l.t("stats_chart_bar_none").replace("{week}", &w.week),
            };
            WeekRow {
                week: w.week.clone(),
                opened: w.opened,
                answered: w.answered,
                median: w
                    .median_first_response_seconds
                    .map(|secs| super::inbox::duration(l, time::Duration::seconds(secs))),
                share: percent,
                bar,
                x: u32::try_from(i).unwrap_or(0) * CHART_SLOT + CHART_LEFT + 8,
                y: CHART_HEIGHT - bar,
                title,
            }
        })
        .collect::<Vec<_>>();
    Responses {
        lead: l.t("stats_response_lead").replace("{t}", &target),
        open: l.count("stats_response_open", s.open),
        width: u32::try_from(weeks.len()).unwrap_or(0) * CHART_SLOT + CHART_LEFT + 16,
        weeks,
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
    /// Response times, for a team that the domain shows them to.
    responses: Option<Responses>,
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
    let responses = match state.app.inbox().stats(&ctx.viewer, handle).await {
        Ok(s) => Some(responses(&l, &s)),
        Err(e) => {
            tracing::warn!(error = %e, "response times of a page not read");
            None
        }
    };
    Ok(render(&StatsPage {
        responses,
        handle: stats.page.handle.to_string(),
        name: stats.page.name,
        posts: stats.posts,
        kinds,
        l,
    }))
}

//! `/notifications` (the member's notifications, grouped, unread ones
//! marked) and `/settings/notifications` (which kinds he is told of).

use super::{FormData, Layout, PageError, render, see_other};
use crate::auth::Ctx;
use crate::i18n::Catalog;
use crate::state::AppState;
use askama::Template;
use axum::body::Bytes;
use axum::extract::State;
use axum::response::Response;
use entremise_domain::locale::Locale;
use entremise_domain::notification::NotificationKind;
use entremise_domain::service::{NotificationSettings, NotificationView};
use std::collections::BTreeMap;

/// Notifications the page shows.
const SHOWN: usize = 50;

/// One notification as the page words it.
pub struct Item {
    pub text: String,
    pub url: String,
    pub read: bool,
    pub at: String,
}

#[derive(Template)]
#[template(path = "notifications.html")]
struct NotificationsPage {
    l: Layout,
    items: Vec<Item>,
    unread: u64,
    /// The newest id shown: "mark all read" marks up to it.
    up_to: Option<i64>,
}

/// The actors of a notification in words: "Zoé", "Zoé and Marc",
/// "Zoé and 4 others" (the count by the language's plural rules).
fn actors_phrase(catalog: &Catalog, lang: Locale, names: &[&str]) -> String {
    catalog.actors(lang, names, names.len() as u64)
}

/// The sentence of a notification: its kind's text, in the singular or
/// plural form the number of actors calls for.
pub fn sentence(catalog: &Catalog, lang: Locale, n: &NotificationView) -> String {
    let names: Vec<&str> = n.actor_refs.iter().map(|r| r.name.as_str()).collect();
    let key = format!("notif_{}", n.kind.as_str());
    catalog
        .count(lang, &key, names.len() as u64)
        .replace("{actors}", &actors_phrase(catalog, lang, &names))
}

fn stamp(at: time::OffsetDateTime) -> String {
    format!("{} {:02}:{:02}", at.date(), at.hour(), at.minute())
}

pub async fn list(State(state): State<AppState>, ctx: Ctx) -> Result<Response, PageError> {
    ctx.viewer.require()?;
    let notifications = state.app.notifications();
    let page = notifications.list(&ctx.viewer, None, SHOWN).await?;
    let unread = notifications.unread(&ctx.viewer).await?.unread;
    let up_to = page.items.iter().map(|n| n.id).max();
    let items = page
        .items
        .iter()
        .map(|n| Item {
            text: sentence(&state.catalog, ctx.locale, n),
            url: n.url.clone(),
            read: n.read,
            at: stamp(n.updated_at),
        })
        .collect();
    let l = Layout::new(
        &state,
        &ctx,
        state.catalog.get(ctx.locale, "notifications_title"),
    );
    Ok(render(&NotificationsPage {
        l,
        items,
        unread,
        up_to,
    }))
}

pub async fn mark_read(
    State(state): State<AppState>,
    ctx: Ctx,
    body: Bytes,
) -> Result<Response, PageError> {
    let form = FormData::parse(&body, &ctx)?;
    state
        .app
        .notifications()
        .mark_read(&ctx.viewer, form.get("up_to"))
        .await?;
    Ok(see_other("/notifications"))
}

/// One switch of the settings page.
pub struct Switch {
    pub kind: &'static str,
    pub label_key: String,
    pub on: bool,
}

#[derive(Template)]
#[template(path = "notification_settings.html")]
struct SettingsPage {
    l: Layout,
    switches: Vec<Switch>,
    saved: bool,
}

#[derive(serde::Deserialize)]
pub struct SettingsQuery {
    saved: Option<String>,
}

pub async fn settings(
    State(state): State<AppState>,
    ctx: Ctx,
    axum::extract::Query(q): axum::extract::Query<SettingsQuery>,
) -> Result<Response, PageError> {
    let settings = state.app.notifications().settings(&ctx.viewer).await?;
    let switches = settings
        .kinds
        .iter()
        .map(|(kind, on)| Switch {
            kind: kind.as_str(),
            label_key: format!("notif_kind_{}", kind.as_str()),
            on: *on,
        })
        .collect();
    let l = Layout::new(
        &state,
        &ctx,
        state.catalog.get(ctx.locale, "notif_settings_title"),
    );
    Ok(render(&SettingsPage {
        l,
        switches,
        saved: q.saved.is_some(),
    }))
}

/// Every kind is on the form: a box left unticked switches it off.
pub async fn save_settings(
    State(state): State<AppState>,
    ctx: Ctx,
    body: Bytes,
) -> Result<Response, PageError> {
    let form = FormData::parse(&body, &ctx)?;
    let kinds: BTreeMap<NotificationKind, bool> = NotificationKind::ALL
        .into_iter()
        .map(|k| (k, form.0.contains_key(&format!("k_{}", k.as_str()))))
        .collect();
    state
        .app
        .notifications()
        .set_settings(&ctx.viewer, &NotificationSettings { kinds })
        .await?;
    Ok(see_other("/settings/notifications?saved=1"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actors_are_named_one_two_or_first_and_the_count_of_others() {
        let c = Catalog::load();
        let en = |names: &[&str]| actors_phrase(&c, Locale::En, names);
        let fr = |names: &[&str]| actors_phrase(&c, Locale::Fr, names);
        assert_eq!(en(&["Zoé"]), "Zoé");
        assert_eq!(en(&["Zoé", "Marc"]), "Zoé and Marc");
        assert_eq!(en(&["Zoé", "Marc", "Léa"]), "Zoé and 2 others");
        assert_eq!(fr(&["Zoé", "Marc"]), "Zoé et Marc");
        assert_eq!(fr(&["Zoé", "a", "b", "c", "d"]), "Zoé et 4 autres");
    }

    #[test]
    fn every_kind_has_its_sentence_and_switch_in_both_languages() {
        let c = Catalog::load();
        for lang in [Locale::En, Locale::Fr] {
            for k in NotificationKind::ALL {
                for key in [
                    format!("notif_{}_one", k.as_str()),
                    format!("notif_{}_other", k.as_str()),
                    format!("notif_kind_{}", k.as_str()),
                ] {
                    let text = c.get(lang, &key);
                    assert_ne!(text, key, "{key} missing in {lang:?}");
                }
                // The instance's own notices name nobody.
                let key = format!("notif_{}_one", k.as_str());
                let one = c.get(lang, &key);
                assert_eq!(
                    one.contains("{actors}"),
                    !k.from_the_instance(),
                    "{k:?} in {lang:?}: {one}"
                );
            }
        }
    }
}

//! The real-time stream, `GET /api/v1/stream`: a WebSocket, or the same
//! events as Server-Sent Events for `Accept: text/event-stream`.
//!
//! Each event is one JSON object `{"id", "type", …}` (a WebSocket text
//! frame; an SSE event whose `data` is the object and whose `id` is its
//! id). A stream opened with `Last-Event-ID` (or `?since=`) first carries
//! what the member missed, then the live events; ids only grow, so each
//! live event at or below the last id sent (already replayed) is dropped.
//! A stream is never cut by the request time limit (its answer's head goes
//! at once); it ends when the client leaves, when it lags so far behind
//! that its channel fills (it resumes from its last id), or at shutdown.

use super::ApiQuery;
use crate::auth::Ctx;
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;
use axum::extract::State;
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade, close_code};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use entremise_domain::Error;
use entremise_domain::realtime::{EventId, Push};
use entremise_domain::service::OpenStream;
use futures_util::{SinkExt as _, StreamExt as _};
use serde::Deserialize;
use std::convert::Infallible;
use std::time::Duration;

/// A keep-alive (SSE comment, WebSocket ping) this often, so that proxies
/// keep an idle stream open and a dead peer is noticed.
pub const KEEP_ALIVE: Duration = Duration::from_secs(25);

/// A WebSocket frame that cannot be written for this long (the client
/// stopped reading) ends the stream.
const SEND_TIMEOUT: Duration = Duration::from_secs(10);

/// What a client may send on the WebSocket (nothing is expected but
/// control frames): larger messages end the connection.
const MAX_CLIENT_MESSAGE: usize = 4 * 1024;

/// The WebSocket's read buffer: the client sends only control frames.
const READ_BUFFER: usize = 4 * 1024;

/// Bytes a WebSocket may have waiting to be written (each event is
/// written and flushed at once; this bounds a replay to a slow client).
const MAX_WRITE_BUFFER: usize = 1024 * 1024;

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StreamParams {
    /// The last event id received (as `Last-Event-ID`, which wins when
    /// both are given): `1234` or `1234.1`.
    #[param(pattern = r"^[0-9]{1,19}(\.[0-9]{1,9})?$")]
    pub since: Option<String>,
}

/// The member's real-time events. Events: `message` (a message in one of
/// his conversations: `conversation`, `message` `{id, author {handle, name,
/// kind}, text, created_at}`, his `unread` messages), `read` (`conversation`,
/// `member`, `up_to`, `unread`), `notification` (`notification` `{id,
/// kind, actors, object?, created_at, updated_at, read}`, `unread`),
/// `typing` (`conversation`, `member`; no id, never replayed) and `reset`
/// (the stream cannot resume from the id asked: reload, then go on from
/// this event's id). Ids are the change's sequence number, with `.n` for a
/// change's later events to the same member (`1234`, `1234.1`).
#[utoipa::path(get, path = "/api/v1/stream", tag = "conversations",
    params(
        StreamParams,
        ("Last-Event-ID" = Option<String>, Header, description = "The last event id received; the stream resumes after it"),
    ),
    responses(
        (status = 101, description = "WebSocket (`Upgrade: websocket`): one JSON event per text frame, a ping every 25 s"),
        (status = 200, description = "Server-Sent Events (`Accept: text/event-stream`): each event's `id` and JSON `data`, a comment every 25 s", content_type = "text/event-stream", body = String),
        (status = 400, description = "`invalid_input`: `since` or `Last-Event-ID` is not an event id", body = ErrorBody),
        (status = 406, description = "`not_acceptable`: neither a WebSocket upgrade nor `Accept: text/event-stream`", body = ErrorBody),
    ),
    security(("bearer" = [])))]
pub async fn stream(
    State(state): State<AppState>,
    ctx: Ctx,
    ws: Result<WebSocketUpgrade, axum::extract::ws::rejection::WebSocketUpgradeRejection>,
    headers: HeaderMap,
    ApiQuery(params): ApiQuery<StreamParams>,
) -> Result<Response, ApiError> {
    ctx.viewer.require()?;
    let since = since_of(&headers, params.since.as_deref()).map_err(ApiError::BadQuery)?;
    if ws.is_err() && !wants_event_stream(&headers) {
        return Err(ApiError::Http {
            status: StatusCode::NOT_ACCEPTABLE,
            code: "not_acceptable",
            message: "Open the stream as a WebSocket, or with Accept: text/event-stream.".into(),
        });
    }
    let open = state.app.streams().open(&ctx.viewer, since).await?;
    Ok(match ws {
        // Small buffers: an open stream mostly waits (the library's
        // defaults, 128 KiB each way, would be most of its memory).
        Ok(ws) => ws
            .read_buffer_size(READ_BUFFER)
            .write_buffer_size(0)
            .max_write_buffer_size(MAX_WRITE_BUFFER)
            .max_message_size(MAX_CLIENT_MESSAGE)
            .max_frame_size(MAX_CLIENT_MESSAGE)
            .on_upgrade(move |socket| websocket(socket, open))
            .into_response(),
        Err(_) => event_stream(open).into_response(),
    })
}

/// The id to resume after: `Last-Event-ID`, else `?since=`.
fn since_of(headers: &HeaderMap, query: Option<&str>) -> Result<Option<EventId>, Error> {
    let (field, raw) = match headers.get("last-event-id") {
        Some(v) => ("Last-Event-ID", v.to_str().unwrap_or("?")),
        None => match query {
            Some(q) => ("since", q),
            None => return Ok(None),
        },
    };
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    EventId::parse(raw)
        .map(Some)
        .ok_or_else(|| Error::invalid(field, "invalid", "Not an event id (1234 or 1234.1)."))
}

fn wants_event_stream(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.contains("text/event-stream"))
}

/// Whether a live push was already sent in the replay.
fn already_sent(push: &Push, last: Option<EventId>) -> bool {
    matches!((push.id, last), (Some(id), Some(last)) if id <= last)
}

/// Sends a frame; false when it failed or the client stopped reading.
async fn send(sink: &mut futures_util::stream::SplitSink<WebSocket, Message>, m: Message) -> bool {
    matches!(
        tokio::time::timeout(SEND_TIMEOUT, sink.send(m)).await,
        Ok(Ok(()))
    )
}

async fn websocket(socket: WebSocket, open: OpenStream) {
    let OpenStream { replay, mut live } = open;
    let (mut sink, mut incoming) = socket.split();
    let mut last = None;
    for push in replay {
        if !send(&mut sink, Message::Text(push.to_json().into())).await {
            return;
        }
        last = push.id.or(last);
    }
    let mut keep_alive =
        tokio::time::interval_at(tokio::time::Instant::now() + KEEP_ALIVE, KEEP_ALIVE);
    loop {
        tokio::select! {
            push = live.rx.recv() => {
                let Some(push) = push else {
                    // The hub closed the stream: the client lagged.
                    let frame = CloseFrame { code: close_code::AGAIN, reason: "lagging: resume from the last id".into() };
                    let _ = send(&mut sink, Message::Close(Some(frame))).await;
                    return;
                };
                if already_sent(&push, last) {
                    continue;
                }
                if !send(&mut sink, Message::Text(push.to_json().into())).await {
                    return;
                }
                last = push.id.or(last);
            }
            message = incoming.next() => match message {
                None | Some(Err(_)) | Some(Ok(Message::Close(_))) => return,
                // Pongs, pings (answered by the library) and anything else.
                Some(Ok(_)) => {}
            },
            _ = keep_alive.tick() => {
                if !send(&mut sink, Message::Ping(Default::default())).await {
                    return;
                }
            }
        }
    }
}

fn sse_event(push: &Push) -> SseEvent {
    let event = SseEvent::default().data(push.to_json());
    match push.id {
        Some(id) => event.id(id.to_string()),
        None => event,
    }
}

fn event_stream(
    open: OpenStream,
) -> Sse<impl futures_util::Stream<Item = Result<SseEvent, Infallible>>> {
    let OpenStream { replay, live } = open;
    let last = replay.iter().rev().find_map(|p| p.id);
    let replayed = futures_util::stream::iter(replay.into_iter().map(|p| Ok(sse_event(&p))));
    let live = futures_util::stream::unfold((live, last), |(mut live, mut last)| async move {
        loop {
            // `None`: the hub closed the stream (the client lagged); the
            // response ends and the browser resumes from its last id.
            let push = live.rx.recv().await?;
            if already_sent(&push, last) {
                continue;
            }
            last = push.id.or(last);
            return Some((Ok(sse_event(&push)), (live, last)));
        }
    });
    Sse::new(replayed.chain(live)).keep_alive(KeepAlive::new().interval(KEEP_ALIVE))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_header_wins_over_the_query_and_a_bad_id_is_refused() {
        let mut headers = HeaderMap::new();
        assert_eq!(since_of(&headers, None).unwrap(), None);
        assert_eq!(
            since_of(&headers, Some("12.1")).unwrap(),
            Some(EventId::new(12, 1))
        );
        headers.insert("last-event-id", "40".parse().unwrap());
        assert_eq!(
            since_of(&headers, Some("12")).unwrap(),
            Some(EventId::new(40, 0))
        );
        headers.insert("last-event-id", "x".parse().unwrap());
        assert!(since_of(&headers, None).is_err());
    }

    #[test]
    fn a_live_push_already_replayed_is_dropped_but_not_a_typing_one() {
        let push = |id| Push {
            id,
            body: "{}".into(),
        };
        let last = Some(EventId::new(10, 1));
        assert!(already_sent(&push(Some(EventId::new(10, 1))), last));
        assert!(already_sent(&push(Some(EventId::new(9, 3))), last));
        assert!(!already_sent(&push(Some(EventId::new(10, 2))), last));
        assert!(!already_sent(&push(None), last));
        assert!(!already_sent(&push(Some(EventId::new(1, 0))), None));
    }
}

//! One integration-test binary for the API, the pages and the CLI, through
//! the real router on a temporary SQLite store.

mod abuse;
mod accounts;
mod backup;
mod contacts;
mod contract;
mod conversations;
mod crash;
mod disk_full;
mod durability;
mod events;
mod group_pages;
mod groups;
mod inbox;
mod inbox_pages;
mod introductions;
mod leaks;
mod lists;
mod mail;
mod moderation;
mod monitoring;
mod notifications;
mod pages_api;
mod post_pages;
mod post_search;
mod posts;
mod privacy_matrix;
mod process;
mod profiles;
mod search;
mod security;
mod socket;
mod stream;
mod support;
mod visits;
mod web;

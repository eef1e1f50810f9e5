//! The languages the product speaks.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Locale {
    #[default]
    En,
    Fr,
}

impl Locale {
    pub const ALL: [Locale; 2] = [Locale::En, Locale::Fr];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::En => "en",
            Self::Fr => "fr",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "en" => Some(Self::En),
            "fr" => Some(Self::Fr),
            _ => None,
        }
    }

    /// Picks the best supported language from an `Accept-Language` header,
    /// honouring quality values (`fr-CA;q=0.8, en;q=0.5`).
    pub fn from_accept_language(header: &str) -> Option<Self> {
        let mut best: Option<(f32, Self)> = None;
        for part in header.split(',') {
            let mut pieces = part.trim().split(';');
            let tag = pieces.next().unwrap_or("").trim();
            let primary = tag.split('-').next().unwrap_or("");
            let Some(locale) = Self::parse(primary) else {
                continue;
            };
            let q = pieces
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.parse::<f32>().ok())
                .unwrap_or(1.0);
            if q > 0.0 && best.is_none_or(|(bq, _)| q > bq) {
                best = Some((q, locale));
            }
        }
        best.map(|(_, l)| l)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_picks_highest_quality_supported() {
        let cases = [
            ("fr-FR,fr;q=0.9,en;q=0.8", Some(Locale::Fr)),
            ("en-GB,en;q=0.9", Some(Locale::En)),
            ("de-DE,de;q=0.9,fr;q=0.5,en;q=0.7", Some(Locale::En)),
            ("de", None),
            ("", None),
            ("fr;q=0", None),
            ("*", None),
        ];
        for (header, want) in cases {
            assert_eq!(Locale::from_accept_language(header), want, "{header}");
        }
    }
}

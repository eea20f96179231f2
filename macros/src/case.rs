//! `rename_all` rules, as serde names them, and readable default names.

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum RenameRule {
    Lower,
    Upper,
    Pascal,
    Camel,
    Snake,
    ScreamingSnake,
    Kebab,
    ScreamingKebab,
}

pub const RULE_NAMES: &str = r#""lowercase", "UPPERCASE", "PascalCase", "camelCase", "snake_case", "SCREAMING_SNAKE_CASE", "kebab-case", "SCREAMING-KEBAB-CASE""#;

impl RenameRule {
    pub fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "lowercase" => Self::Lower,
            "UPPERCASE" => Self::Upper,
            "PascalCase" => Self::Pascal,
            "camelCase" => Self::Camel,
            "snake_case" => Self::Snake,
            "SCREAMING_SNAKE_CASE" => Self::ScreamingSnake,
            "kebab-case" => Self::Kebab,
            "SCREAMING-KEBAB-CASE" => Self::ScreamingKebab,
            _ => return None,
        })
    }

    /// Applies the rule to a Rust name, `snake_case` (fields) or `PascalCase` (variants).
    pub fn apply(self, name: &str) -> String {
        let words = words(name);
        let lower = || words.iter().map(|w| w.to_lowercase());
        let capitalized = || words.iter().map(|w| capitalize(&w.to_lowercase()));
        match self {
            Self::Lower => lower().collect(),
            Self::Upper => words.concat().to_uppercase(),
            Self::Pascal => capitalized().collect(),
            Self::Camel => {
                let mut out = String::new();
                for (i, word) in words.iter().enumerate() {
                    let word = word.to_lowercase();
                    out.push_str(&if i == 0 { word } else { capitalize(&word) });
                }
                out
            }
            Self::Snake => lower().collect::<Vec<_>>().join("_"),
            Self::ScreamingSnake => words.join("_").to_uppercase(),
            Self::Kebab => lower().collect::<Vec<_>>().join("-"),
            Self::ScreamingKebab => words.join("-").to_uppercase(),
        }
    }
}

/// `checked_on` -> "Checked on", `limitAmount` -> "Limit amount", `NewDeal` -> "New deal".
pub fn readable(name: &str) -> String {
    let words: Vec<String> = words(name).iter().map(|w| w.to_lowercase()).collect();
    capitalize(&words.join(" "))
}

/// Splits at `_` and where a lower-case letter or digit meets an upper-case one.
fn words(name: &str) -> Vec<String> {
    let mut words = Vec::new();
    for part in name.split('_').filter(|p| !p.is_empty()) {
        let mut word = String::new();
        let mut previous_lower = false;
        for c in part.chars() {
            if c.is_uppercase() && previous_lower {
                words.push(std::mem::take(&mut word));
            }
            previous_lower = c.is_lowercase() || c.is_ascii_digit();
            word.push(c);
        }
        words.push(word);
    }
    words
}

fn capitalize(word: &str) -> String {
    let mut chars = word.chars();
    chars.next().map(|first| first.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

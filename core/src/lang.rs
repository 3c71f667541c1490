//! The language a person reads a message in (R57).
//!
//! Every message the engine produces for a person (an error, a reason a time
//! is not free) can be rendered in Brazilian Portuguese or English. The engine
//! does not guess the language: the adapter that knows the person (an HTTP
//! `Accept-Language` header, a business's locale, a process's `LANG`) picks one
//! with [`Lang::from_tag`] and asks for the message in it.

use std::fmt;

/// A language the engine writes messages in.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Lang {
    /// English, the default and the language of `Display` implementations.
    #[default]
    En,
    /// Brazilian Portuguese (`pt-BR`).
    PtBr,
}

impl Lang {
    /// Picks a language from a language tag such as `pt-BR`, `pt_BR.UTF-8`,
    /// `en-US` or an `Accept-Language` list such as `pt-BR,pt;q=0.9,en;q=0.8`.
    ///
    /// The first language in the list that the engine speaks wins; any
    /// Portuguese variant reads as `pt-BR`; anything unknown falls back to
    /// English.
    ///
    /// # Example
    /// ```
    /// use agendo_core::Lang;
    /// assert_eq!(Lang::from_tag("pt_BR.UTF-8"), Lang::PtBr);
    /// assert_eq!(Lang::from_tag("de-DE,pt;q=0.8"), Lang::PtBr);
    /// assert_eq!(Lang::from_tag("fr"), Lang::En);
    /// ```
    pub fn from_tag(tag: &str) -> Lang {
        tag.split(',')
            .filter_map(|part| {
                let name = part.split(';').next()?.trim();
                let primary = name.split(['-', '_', '.']).next()?;
                if primary.eq_ignore_ascii_case("pt") {
                    Some(Lang::PtBr)
                } else if primary.eq_ignore_ascii_case("en") {
                    Some(Lang::En)
                } else {
                    None
                }
            })
            .next()
            .unwrap_or_default()
    }

    /// The language's BCP 47 tag: `en` or `pt-BR`.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::PtBr => "pt-BR",
        }
    }

    /// Reads a business's language strictly: `pt-BR` (or `pt_BR`, `pt-br`)
    /// or `en` (or `en-US`, `en-GB`). Unlike [`Lang::from_tag`], which picks
    /// a language for a reader, a setting that names neither is refused.
    ///
    /// # Errors
    /// [`crate::Error::Invalid`] for `locale`, naming the languages known.
    ///
    /// # Example
    /// ```
    /// use agendo_core::Lang;
    /// assert_eq!(Lang::parse("pt-BR")?, Lang::PtBr);
    /// assert_eq!(Lang::parse("fr").unwrap_err().field(), Some("locale"));
    /// # Ok::<(), agendo_core::Error>(())
    /// ```
    pub fn parse(text: &str) -> Result<Lang, crate::Error> {
        match text.trim() {
            "pt-BR" | "pt_BR" | "pt-br" => Ok(Lang::PtBr),
            "en" | "en-US" | "en-GB" => Ok(Lang::En),
            other => Err(crate::Error::invalid(
                "locale",
                crate::Problem::UnknownValue {
                    value: crate::error::clip(other),
                    expected: "pt-BR, en",
                },
            )),
        }
    }

    /// Picks, of two texts, the one written in this language: a small
    /// helper for adapters with their own messages.
    ///
    /// # Example
    /// ```
    /// use agendo_core::Lang;
    /// assert_eq!(Lang::PtBr.pick("closed", "fechado"), "fechado");
    /// ```
    pub fn pick<T>(self, en: T, pt_br: T) -> T {
        match self {
            Lang::En => en,
            Lang::PtBr => pt_br,
        }
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.tag())
    }
}

#[cfg(test)]
mod tests {
    use super::Lang;

    #[test]
    fn portuguese_variants_read_as_brazilian_portuguese() {
        for tag in ["pt", "pt-BR", "PT_br.UTF-8", "pt-PT", " pt-BR ;q=1"] {
            assert_eq!(Lang::from_tag(tag), Lang::PtBr, "{tag}");
        }
    }

    #[test]
    fn first_known_language_in_a_list_wins() {
        assert_eq!(Lang::from_tag("en-US,pt-BR;q=0.9"), Lang::En);
        assert_eq!(Lang::from_tag("es,pt-BR;q=0.9,en;q=0.8"), Lang::PtBr);
    }

    #[test]
    fn unknown_or_empty_tags_fall_back_to_english() {
        for tag in ["", "C", "C.UTF-8", "es-AR", "*"] {
            assert_eq!(Lang::from_tag(tag), Lang::En, "{tag}");
        }
    }
}

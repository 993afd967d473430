//! Text with the embedded DejaVu Sans: measuring, shortening with "…",
//! wrapping mixed regular/bold runs, and drawing anti-aliased glyphs.

use std::sync::LazyLock;

use ab_glyph::{Font, FontRef, GlyphId, PxScale, ScaleFont, point};

use crate::canvas::{Canvas, Color};

const REGULAR_TTF: &[u8] = include_bytes!("../assets/DejaVuSans.ttf");
const BOLD_TTF: &[u8] = include_bytes!("../assets/DejaVuSans-Bold.ttf");

/// The two embedded faces.
pub(crate) struct Fonts {
    regular: FontRef<'static>,
    bold: FontRef<'static>,
}

impl std::fmt::Debug for Fonts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Fonts(DejaVu Sans, DejaVu Sans Bold)")
    }
}

static FONTS: LazyLock<Fonts> = LazyLock::new(|| Fonts {
    // The fonts are compiled in; `fonts_parse` below proves they parse, so
    // this cannot fail at run time.
    regular: FontRef::try_from_slice(REGULAR_TTF).expect("embedded DejaVuSans.ttf parses"),
    bold: FontRef::try_from_slice(BOLD_TTF).expect("embedded DejaVuSans-Bold.ttf parses"),
});

/// The embedded fonts, parsed once. Immutable, so sharing them is safe.
pub(crate) fn fonts() -> &'static Fonts {
    &FONTS
}

/// Regular or bold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Weight {
    Regular,
    Bold,
}

/// How a run of text looks.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Style {
    pub weight: Weight,
    /// Pixels per em.
    pub size: f32,
    pub color: Color,
}

/// A piece of text in one weight.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Span {
    pub text: String,
    pub weight: Weight,
}

impl Span {
    pub fn regular(text: impl Into<String>) -> Span {
        Span {
            text: text.into(),
            weight: Weight::Regular,
        }
    }

    pub fn bold(text: impl Into<String>) -> Span {
        Span {
            text: text.into(),
            weight: Weight::Bold,
        }
    }
}

/// One laid-out line: runs with their x offset from the line's start.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Line {
    pub runs: Vec<(f32, Span)>,
    pub width: f32,
}

impl Line {
    /// The line's text, runs joined.
    pub fn text(&self) -> String {
        self.runs
            .iter()
            .map(|(_, span)| span.text.as_str())
            .collect()
    }
}

impl Fonts {
    fn face(&self, weight: Weight) -> &FontRef<'static> {
        match weight {
            Weight::Regular => &self.regular,
            Weight::Bold => &self.bold,
        }
    }

    /// The advance width of `text`, kerning included.
    pub fn measure(&self, text: &str, weight: Weight, size: f32) -> f32 {
        let font = self.face(weight).as_scaled(PxScale::from(size));
        let mut width = 0.0;
        let mut previous: Option<GlyphId> = None;
        for c in text.chars() {
            let id = font.glyph_id(c);
            if let Some(previous) = previous {
                width += font.kern(previous, id);
            }
            width += font.h_advance(id);
            previous = Some(id);
        }
        width
    }

    /// `text`, cut at a character boundary and ended with "…" so that it fits
    /// in `max_width`; unchanged if it fits already.
    pub fn ellipsize(&self, text: &str, weight: Weight, size: f32, max_width: f32) -> String {
        if self.measure(text, weight, size) <= max_width {
            return text.to_owned();
        }
        let ellipsis = self.measure("…", weight, size);
        let mut kept = String::new();
        for c in text.chars() {
            kept.push(c);
            if self.measure(&kept, weight, size) + ellipsis > max_width {
                kept.pop();
                break;
            }
        }
        format!("{}…", kept.trim_end())
    }

    /// Lays `spans` out in lines no wider than `max_width`, breaking at
    /// spaces (and inside a word only when the word alone is too wide).
    pub fn wrap(&self, spans: &[Span], size: f32, max_width: f32) -> Vec<Line> {
        let space = self.measure(" ", Weight::Regular, size);
        let mut lines = Vec::new();
        let mut line = Line {
            runs: Vec::new(),
            width: 0.0,
        };
        for word in words(spans) {
            let mut word = word;
            loop {
                let width = self.word_width(&word, size);
                let gap = if line.runs.is_empty() { 0.0 } else { space };
                if line.width + gap + width <= max_width {
                    push_word(&mut line, word, gap, width, self, size);
                    break;
                }
                if !line.runs.is_empty() {
                    lines.push(std::mem::replace(
                        &mut line,
                        Line {
                            runs: Vec::new(),
                            width: 0.0,
                        },
                    ));
                    continue;
                }
                // A single word wider than the line: cut it.
                let (head, tail) = self.split_word(&word, size, max_width);
                let head_width = self.word_width(&head, size);
                push_word(&mut line, head, 0.0, head_width, self, size);
                lines.push(std::mem::replace(
                    &mut line,
                    Line {
                        runs: Vec::new(),
                        width: 0.0,
                    },
                ));
                if tail.is_empty() {
                    break;
                }
                word = tail;
            }
        }
        if !line.runs.is_empty() {
            lines.push(line);
        }
        lines
    }

    fn word_width(&self, word: &[Span], size: f32) -> f32 {
        word.iter()
            .map(|span| self.measure(&span.text, span.weight, size))
            .sum()
    }

    /// Splits a word into the longest head that fits `max_width` (at least
    /// one character, so that wrapping always progresses) and the rest.
    fn split_word(&self, word: &[Span], size: f32, max_width: f32) -> (Vec<Span>, Vec<Span>) {
        let mut head: Vec<Span> = Vec::new();
        let mut tail: Vec<Span> = Vec::new();
        let mut width = 0.0;
        let mut full = false;
        for span in word {
            if full {
                tail.push(span.clone());
                continue;
            }
            let mut taken = String::new();
            let mut rest = String::new();
            for c in span.text.chars() {
                if full {
                    rest.push(c);
                    continue;
                }
                let w = self.measure(&c.to_string(), span.weight, size);
                let nothing_yet = head.is_empty() && taken.is_empty();
                if width + w > max_width && !nothing_yet {
                    full = true;
                    rest.push(c);
                } else {
                    width += w;
                    taken.push(c);
                }
            }
            if !taken.is_empty() {
                head.push(Span {
                    text: taken,
                    weight: span.weight,
                });
            }
            if !rest.is_empty() {
                tail.push(Span {
                    text: rest,
                    weight: span.weight,
                });
            }
        }
        (head, tail)
    }

    /// Draws `line` with its baseline at `baseline`, starting at `x`.
    pub fn draw_line(
        &self,
        canvas: &mut Canvas,
        line: &Line,
        x: f32,
        baseline: f32,
        size: f32,
        color: Color,
    ) {
        for (offset, span) in &line.runs {
            self.draw(
                canvas,
                &span.text,
                Style {
                    weight: span.weight,
                    size,
                    color,
                },
                x + offset,
                baseline,
            );
        }
    }

    /// Draws `text` in `style` from `x`, with its baseline at `baseline`.
    pub fn draw(&self, canvas: &mut Canvas, text: &str, style: Style, x: f32, baseline: f32) {
        let Style {
            weight,
            size,
            color,
        } = style;
        let face = self.face(weight);
        let font = face.as_scaled(PxScale::from(size));
        let mut pen = x;
        let baseline = baseline.round();
        let mut previous: Option<GlyphId> = None;
        for c in text.chars() {
            let id = font.glyph_id(c);
            if let Some(previous) = previous {
                pen += font.kern(previous, id);
            }
            let glyph = id.with_scale_and_position(PxScale::from(size), point(pen, baseline));
            pen += font.h_advance(id);
            previous = Some(id);
            let Some(outlined) = face.outline_glyph(glyph) else {
                continue; // Whitespace has no outline.
            };
            let bounds = outlined.px_bounds();
            let (left, top) = (bounds.min.x as i32, bounds.min.y as i32);
            outlined.draw(|gx, gy, coverage| {
                // A slight gamma lift keeps thin stems from looking washed
                // out when blended in sRGB.
                let coverage = coverage.clamp(0.0, 1.0).powf(0.85);
                canvas.blend(left + gx as i32, top + gy as i32, color, coverage);
            });
        }
    }
}

/// Splits spans into words at spaces; a word may mix weights
/// ("Ørsted's" in bold next to regular punctuation).
fn words(spans: &[Span]) -> Vec<Vec<Span>> {
    let mut words: Vec<Vec<Span>> = Vec::new();
    let mut current: Vec<Span> = Vec::new();
    for span in spans {
        let mut piece = String::new();
        for c in span.text.chars() {
            if c == ' ' || c == '\n' {
                if !piece.is_empty() {
                    current.push(Span {
                        text: std::mem::take(&mut piece),
                        weight: span.weight,
                    });
                }
                if !current.is_empty() {
                    words.push(std::mem::take(&mut current));
                }
            } else {
                piece.push(c);
            }
        }
        if !piece.is_empty() {
            current.push(Span {
                text: piece,
                weight: span.weight,
            });
        }
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

fn push_word(line: &mut Line, word: Vec<Span>, gap: f32, width: f32, fonts: &Fonts, size: f32) {
    let mut x = line.width + gap;
    if gap > 0.0 {
        // Keep the space inside the previous run so a line's text reads right.
        if let Some((_, last)) = line.runs.last_mut() {
            last.text.push(' ');
        }
    }
    for span in word {
        let w = fonts.measure(&span.text, span.weight, size);
        line.runs.push((x, span));
        x += w;
    }
    line.width += gap + width;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fonts_parse() {
        let regular = FontRef::try_from_slice(REGULAR_TTF);
        let bold = FontRef::try_from_slice(BOLD_TTF);
        assert!(regular.is_ok() && bold.is_ok());
    }

    #[test]
    fn the_fonts_have_the_letters_customers_write() {
        let fonts = fonts();
        for c in "äöüÄÖÜßëØøéèçñłŁ–…".chars() {
            assert_ne!(fonts.regular.glyph_id(c).0, 0, "regular lacks {c}");
            assert_ne!(fonts.bold.glyph_id(c).0, 0, "bold lacks {c}");
        }
    }

    #[test]
    fn ellipsize_shortens_only_what_is_too_wide() {
        let fonts = fonts();
        assert_eq!(
            fonts.ellipsize("Zoë Ørsted", Weight::Bold, 14.0, 500.0),
            "Zoë Ørsted"
        );
        let long = "Maximilian Alexander von und zu Oberschleißheim-Niederbayern";
        let short = fonts.ellipsize(long, Weight::Bold, 14.0, 150.0);
        assert!(short.ends_with('…'), "{short}");
        assert!(short.chars().count() < long.chars().count());
        assert!(fonts.measure(&short, Weight::Bold, 14.0) <= 150.0);
    }

    #[test]
    fn wrap_breaks_at_spaces_within_the_width() {
        let fonts = fonts();
        let spans = [
            Span::bold("Zoë Ørsted"),
            Span::regular(
                " (technician) asks to see and control your screen (mouse and keyboard).",
            ),
        ];
        let lines = fonts.wrap(&spans, 14.0, 220.0);
        assert!(lines.len() >= 3, "{lines:?}");
        for line in &lines {
            assert!(line.width <= 220.0, "{line:?}");
        }
        let text: Vec<String> = lines.iter().map(Line::text).collect();
        assert_eq!(
            text.join(" "),
            "Zoë Ørsted (technician) asks to see and control your screen (mouse and keyboard)."
        );
        assert_eq!(lines[0].runs[0].1.weight, Weight::Bold);
    }

    #[test]
    fn wrap_cuts_a_word_longer_than_the_line() {
        let fonts = fonts();
        let lines = fonts.wrap(
            &[Span::regular("Bildschirmfreigabeeinstellungsdialog")],
            14.0,
            80.0,
        );
        assert!(lines.len() > 1);
        for line in &lines {
            assert!(line.width <= 80.0, "{line:?}");
        }
        let joined: String = lines.iter().map(Line::text).collect();
        assert_eq!(joined, "Bildschirmfreigabeeinstellungsdialog");
    }

    #[test]
    fn drawing_text_changes_pixels() {
        let fonts = fonts();
        let white = Color::hex(0xffffff);
        let mut canvas = Canvas::new(80, 24, white);
        fonts.draw(
            &mut canvas,
            "Zoë",
            Style {
                weight: Weight::Regular,
                size: 16.0,
                color: Color::hex(0),
            },
            2.0,
            18.0,
        );
        assert_ne!(canvas, Canvas::new(80, 24, white));
    }
}

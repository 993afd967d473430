//! Draws a scene into a pixel buffer: the blue header bar with the Tether
//! mark, the text, and flat rounded buttons with hover, pressed, focus and
//! guarded looks.

use std::time::Instant;

use crate::Access;
use crate::canvas::{Canvas, Color, RoundRect};
use crate::interaction::Interaction;
use crate::layout::{
    BAR_HEIGHT, BUTTON_RADIUS, FOOTER_HEIGHT, LABEL_SIZE, LABEL_WEIGHT, PAD, Rect,
};
use crate::scene::{Badge, Button, ButtonStyle, Icon, Paragraph, Scene, Tone};
use crate::text::{Fonts, Line, Span, Style, Weight, fonts};

/// Space between the header bar and the first line of text.
const TEXT_TOP_GAP: i32 = 18;

const BACKGROUND: Color = Color::hex(0xffffff);
const WINDOW_BORDER: Color = Color::hex(0xc9d1d9);
const TEXT: Color = Color::hex(0x1f2328);
const TEXT_SECONDARY: Color = Color::hex(0x57606a);
const ACCENT: Color = Color::hex(0x1f5fd6);
const ACCENT_HOVER: Color = Color::hex(0x1a52bc);
const ACCENT_PRESSED: Color = Color::hex(0x15449e);
const ACCENT_WAITING: Color = Color::hex(0xa8c1ef);
const DANGER: Color = Color::hex(0xcf222e);
const DANGER_HOVER: Color = Color::hex(0xb31d28);
const DANGER_PRESSED: Color = Color::hex(0x931820);
const DANGER_WAITING: Color = Color::hex(0xeeb0b5);
const NEUTRAL: Color = Color::hex(0xffffff);
const NEUTRAL_HOVER: Color = Color::hex(0xf3f4f6);
const NEUTRAL_PRESSED: Color = Color::hex(0xe5e8eb);
const NEUTRAL_BORDER: Color = Color::hex(0xc4ccd4);
const FOOTER: Color = Color::hex(0xf6f8fa);
const FOOTER_LINE: Color = Color::hex(0xe3e7eb);
const ON_COLOR: Color = Color::hex(0xffffff);
const ICON_BACKGROUND: Color = Color::hex(0xe8f0fe);
const CONTROL_ICON_BACKGROUND: Color = Color::hex(0xfff0e0);
const CONTROL_ACCENT: Color = Color::hex(0xc25400);
const CONNECTED_DOT: Color = Color::hex(0x3fd07a);
const LIVE_DOT: Color = Color::hex(0xff5a5f);

/// The scene as it looks with `interaction`'s hover, press and focus at `now`.
pub(crate) fn paint(scene: &Scene, interaction: &Interaction, now: Instant) -> Canvas {
    let fonts = fonts();
    let size = scene.size;
    let mut canvas = Canvas::new(size.width as usize, size.height as usize, BACKGROUND);
    if !scene.buttons.is_empty() {
        footer(&mut canvas, size.width, size.height);
    }
    canvas.stroke_rounded(
        RoundRect::new(
            Rect {
                x: 0,
                y: 0,
                width: size.width,
                height: size.height,
            },
            0.0,
        ),
        1.0,
        WINDOW_BORDER,
    );
    header(&mut canvas, fonts, size.width, scene.badge.as_ref());
    if let Some(icon) = scene.icon {
        draw_icon(&mut canvas, fonts, icon);
    }
    let blocks: Vec<(&Paragraph, Vec<Line>)> = scene
        .paragraphs
        .iter()
        .map(|p| (p, paragraph_lines(fonts, p, scene.text_width)))
        .collect();
    let mut y = text_top(scene, &blocks);
    for (paragraph, lines) in &blocks {
        y = draw_paragraph(&mut canvas, fonts, paragraph, lines, scene.text_x, y);
    }
    for (index, button) in scene.buttons.iter().enumerate() {
        let look = Look {
            hover: interaction.hover == Some(index),
            pressed: interaction.pressed == Some(index),
            focus: interaction.focus == Some(index),
            waiting: !interaction.armed(button, now),
        };
        draw_button(&mut canvas, fonts, button, look);
    }
    canvas
}

/// The application icon: the Tether mark, `size` pixels square, as
/// non-premultiplied ARGB words row by row (what `_NET_WM_ICON` takes; Win32
/// and Cocoa icons are made from the same words).
pub(crate) fn app_icon(size: usize) -> Vec<u32> {
    let s = size as f32;
    let shape = RoundRect {
        x: 0.0,
        y: 0.0,
        width: s,
        height: s,
        radius: s * 0.22,
    };
    let mut canvas = Canvas::new(size, size, ACCENT);
    mark_letter(&mut canvas, fonts(), 0.0, 0.0, s, ON_COLOR);
    // The rounded corners are transparent: the shape's coverage is alpha.
    let mut mask = Canvas::new(size, size, Color::hex(0));
    mask.fill_rounded(shape, Color::hex(0xffffff));
    canvas
        .bgra()
        .chunks_exact(4)
        .zip(mask.bgra().chunks_exact(4))
        .map(|(pixel, alpha)| u32::from_le_bytes([pixel[0], pixel[1], pixel[2], alpha[0]]))
        .collect()
}

/// The blue bar with the mark, "Tether" and an optional badge on the right.
fn header(canvas: &mut Canvas, fonts: &Fonts, width: i32, badge: Option<&Badge>) {
    canvas.fill_rect(
        Rect {
            x: 0,
            y: 0,
            width,
            height: BAR_HEIGHT,
        },
        ACCENT,
    );
    let mark = 22.0;
    let mark_y = (BAR_HEIGHT as f32 - mark) / 2.0;
    canvas.fill_rounded(
        RoundRect {
            x: PAD as f32,
            y: mark_y,
            width: mark,
            height: mark,
            radius: 5.5,
        },
        ON_COLOR,
    );
    mark_letter(canvas, fonts, PAD as f32, mark_y, mark, ACCENT);
    let name_size = 15.0;
    let baseline = centred_baseline(0.0, BAR_HEIGHT as f32, name_size);
    fonts.draw(
        canvas,
        "Tether",
        Style {
            weight: Weight::Bold,
            size: name_size,
            color: ON_COLOR,
        },
        PAD as f32 + mark + 9.0,
        baseline,
    );
    if let Some(badge) = badge {
        draw_badge(canvas, fonts, width, badge);
    }
}

/// The "T" of the Tether mark, centred in a `size` square at (`x`, `y`).
fn mark_letter(canvas: &mut Canvas, fonts: &Fonts, x: f32, y: f32, size: f32, color: Color) {
    let letter = size * 0.68;
    let width = fonts.measure("T", Weight::Bold, letter);
    let baseline = centred_baseline(y, size, letter);
    fonts.draw(
        canvas,
        "T",
        Style {
            weight: Weight::Bold,
            size: letter,
            color,
        },
        x + (size - width) / 2.0,
        baseline,
    );
}

fn draw_badge(canvas: &mut Canvas, fonts: &Fonts, width: i32, badge: &Badge) {
    let size = 12.0;
    let dot = 8.0;
    let text_width = fonts.measure(badge.text, Weight::Bold, size);
    let pill_width = 10.0 + dot + 6.0 + text_width + 11.0;
    let pill_height = 22.0;
    let x = width as f32 - PAD as f32 - pill_width;
    let y = (BAR_HEIGHT as f32 - pill_height) / 2.0;
    let pill = RoundRect {
        x,
        y,
        width: pill_width,
        height: pill_height,
        radius: pill_height / 2.0,
    };
    // A translucent white pill: white mixed into the bar's blue.
    canvas.fill_rounded_with_opacity(pill, ON_COLOR, 0.18);
    let dot_color = if badge.live { LIVE_DOT } else { CONNECTED_DOT };
    canvas.fill_rounded(
        RoundRect::circle(x + 10.0, y + (pill_height - dot) / 2.0, dot),
        dot_color,
    );
    fonts.draw(
        canvas,
        badge.text,
        Style {
            weight: Weight::Bold,
            size,
            color: ON_COLOR,
        },
        x + 10.0 + dot + 6.0,
        centred_baseline(y, pill_height, size),
    );
}

fn draw_icon(canvas: &mut Canvas, fonts: &Fonts, icon: Icon) {
    let Icon::Screen(access) = icon;
    let (background, accent) = match access {
        Access::View => (ICON_BACKGROUND, ACCENT),
        Access::Control => (CONTROL_ICON_BACKGROUND, CONTROL_ACCENT),
    };
    let size = 44.0;
    let x = PAD as f32;
    let y = (BAR_HEIGHT + TEXT_TOP_GAP) as f32;
    canvas.fill_rounded(RoundRect::circle(x, y, size), background);
    // A monitor: screen outline, neck and foot.
    let (cx, cy) = (x + size / 2.0, y + size / 2.0);
    let screen = RoundRect {
        x: cx - 11.0,
        y: cy - 10.0,
        width: 22.0,
        height: 15.0,
        radius: 2.5,
    };
    canvas.stroke_rounded(screen, 2.0, accent);
    canvas.fill_rounded(
        RoundRect {
            x: cx - 1.0,
            y: cy + 5.0,
            width: 2.0,
            height: 4.0,
            radius: 0.0,
        },
        accent,
    );
    canvas.fill_rounded(
        RoundRect {
            x: cx - 6.0,
            y: cy + 8.5,
            width: 12.0,
            height: 2.0,
            radius: 1.0,
        },
        accent,
    );
    if access == Access::Control {
        // A pointer over the screen: control, not only view.
        let arrow = "➚";
        let arrow_size = 14.0;
        fonts.draw(
            canvas,
            arrow,
            Style {
                weight: Weight::Bold,
                size: arrow_size,
                color: accent,
            },
            cx - 4.5,
            cy + 3.0,
        );
    }
}

/// Where the text starts: below the header, or centred between header and
/// footer for scenes that ask for it.
fn text_top(scene: &Scene, blocks: &[(&Paragraph, Vec<Line>)]) -> f32 {
    let top = (BAR_HEIGHT + TEXT_TOP_GAP) as f32;
    if !scene.center_text {
        return top;
    }
    let height: f32 = blocks
        .iter()
        .enumerate()
        .map(|(i, (p, lines))| {
            let gap = if i == 0 { 0.0 } else { p.gap_before };
            gap + p.line_height * lines.len() as f32
        })
        .sum();
    let bottom = if scene.buttons.is_empty() {
        scene.size.height
    } else {
        scene.size.height - FOOTER_HEIGHT
    };
    let centred = BAR_HEIGHT as f32 + ((bottom - BAR_HEIGHT) as f32 - height) / 2.0;
    centred.max(top).round()
}

/// The light band behind the buttons, with a hairline on top.
fn footer(canvas: &mut Canvas, width: i32, height: i32) {
    let top = height - FOOTER_HEIGHT;
    canvas.fill_rect(
        Rect {
            x: 0,
            y: top,
            width,
            height: FOOTER_HEIGHT,
        },
        FOOTER,
    );
    canvas.fill_rect(
        Rect {
            x: 0,
            y: top,
            width,
            height: 1,
        },
        FOOTER_LINE,
    );
}

/// Draws a paragraph's `lines` from `y` down; returns the `y` below them.
fn draw_paragraph(
    canvas: &mut Canvas,
    fonts: &Fonts,
    paragraph: &Paragraph,
    lines: &[Line],
    x: i32,
    y: f32,
) -> f32 {
    let color = match paragraph.tone {
        Tone::Primary => TEXT,
        Tone::Secondary => TEXT_SECONDARY,
    };
    let mut y = y + paragraph.gap_before;
    for line in lines {
        let baseline = centred_baseline(y, paragraph.line_height, paragraph.size);
        fonts.draw_line(canvas, line, x as f32, baseline, paragraph.size, color);
        y += paragraph.line_height;
    }
    y
}

/// The wrapped lines of `paragraph`, at most `max_lines`, the last one
/// ending in "…" when text was cut.
pub(crate) fn paragraph_lines(fonts: &Fonts, paragraph: &Paragraph, width: i32) -> Vec<Line> {
    let width = width as f32;
    let mut lines = fonts.wrap(&paragraph.spans, paragraph.size, width);
    if lines.len() > paragraph.max_lines {
        lines.truncate(paragraph.max_lines.max(1));
        if let Some(last) = lines.last_mut() {
            let weight = last.runs.last().map_or(Weight::Regular, |(_, s)| s.weight);
            let text = format!("{}…", last.text().trim_end());
            let text = fonts.ellipsize(&text, weight, paragraph.size, width);
            let shortened = fonts.wrap(&[Span { text, weight }], paragraph.size, width);
            if let Some(first) = shortened.into_iter().next() {
                *last = first;
            }
        }
    }
    lines
}

/// The baseline that centres text of `size` (by its capitals and
/// x-height) in a box of `height` starting at `top`.
fn centred_baseline(top: f32, height: f32, size: f32) -> f32 {
    // DejaVu Sans' capital height is 0.73 em.
    top + (height + 0.73 * size) / 2.0
}

#[derive(Debug, Clone, Copy)]
struct Look {
    hover: bool,
    pressed: bool,
    focus: bool,
    waiting: bool,
}

fn draw_button(canvas: &mut Canvas, fonts: &Fonts, button: &Button, look: Look) {
    let shape = RoundRect::new(button.rect, BUTTON_RADIUS);
    if look.focus {
        canvas.stroke_rounded(shape.inset(-3.0), 2.0, ACCENT);
    }
    let pick = |normal, hover, pressed, waiting| {
        if look.waiting {
            waiting
        } else if look.pressed {
            pressed
        } else if look.hover {
            hover
        } else {
            normal
        }
    };
    let label_color = match button.style {
        ButtonStyle::Primary => {
            canvas.fill_rounded(
                shape,
                pick(ACCENT, ACCENT_HOVER, ACCENT_PRESSED, ACCENT_WAITING),
            );
            ON_COLOR
        }
        ButtonStyle::Danger => {
            canvas.fill_rounded(
                shape,
                pick(DANGER, DANGER_HOVER, DANGER_PRESSED, DANGER_WAITING),
            );
            ON_COLOR
        }
        ButtonStyle::Neutral => {
            canvas.fill_rounded(
                shape,
                pick(NEUTRAL, NEUTRAL_HOVER, NEUTRAL_PRESSED, NEUTRAL),
            );
            canvas.stroke_rounded(shape, 1.0, NEUTRAL_BORDER);
            if look.waiting { TEXT_SECONDARY } else { TEXT }
        }
    };
    let width = fonts.measure(button.label, LABEL_WEIGHT, LABEL_SIZE);
    let rect = button.rect;
    fonts.draw(
        canvas,
        button.label,
        Style {
            weight: LABEL_WEIGHT,
            size: LABEL_SIZE,
            color: label_color,
        },
        (rect.x as f32 + (rect.width as f32 - width) / 2.0).round(),
        centred_baseline(rect.y as f32, rect.height as f32, LABEL_SIZE),
    );
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::Lang;
    use crate::layout::prompt_layout;
    use crate::scene::{StatusView, prompt_scene, status_scene};

    fn idle(scene: &Scene) -> Interaction {
        Interaction::new(scene, Instant::now(), Duration::ZERO)
    }

    #[test]
    fn allow_is_blue_and_the_bar_is_blue() {
        let scene = prompt_scene(Lang::En, "Zoë Ørsted", Access::View);
        let canvas = paint(&scene, &idle(&scene), Instant::now());
        let layout = prompt_layout(Lang::En);
        assert_eq!(canvas.width() as i32, layout.size.width);
        // Left edge of Allow, vertically centred: no text there, pure fill.
        let (x, y) = (layout.allow.x + 4, layout.allow.y + layout.allow.height / 2);
        assert_eq!(canvas.pixel(x as usize, y as usize), Some(ACCENT));
        assert_eq!(canvas.pixel(300, 3), Some(ACCENT));
    }

    #[test]
    fn a_waiting_allow_looks_disabled() {
        let scene = prompt_scene(Lang::En, "Zoë", Access::View);
        let now = Instant::now();
        let guarded = Interaction::new(&scene, now, Duration::from_secs(60));
        let canvas = paint(&scene, &guarded, now);
        let layout = prompt_layout(Lang::En);
        let (x, y) = (layout.allow.x + 4, layout.allow.y + layout.allow.height / 2);
        assert_eq!(canvas.pixel(x as usize, y as usize), Some(ACCENT_WAITING));
    }

    fn all_scenes(lang: Lang, name: &str, line: Option<&str>) -> Vec<Scene> {
        vec![
            prompt_scene(lang, name, Access::Control),
            prompt_scene(lang, name, Access::View),
            status_scene(lang, &StatusView::Idle { line }),
            status_scene(
                lang,
                &StatusView::Connected {
                    technician: name,
                    line,
                },
            ),
            status_scene(
                lang,
                &StatusView::Sharing {
                    technician: name,
                    access: Access::Control,
                    line,
                },
            ),
            status_scene(
                lang,
                &StatusView::Sharing {
                    technician: name,
                    access: Access::View,
                    line,
                },
            ),
            status_scene(lang, &StatusView::Confirm),
            status_scene(lang, &StatusView::Ending),
            status_scene(lang, &StatusView::Ended { text: line }),
        ]
    }

    #[test]
    fn text_never_runs_into_the_buttons() {
        let long = "Maximilian Alexander Freiherr von und zu Oberschleißheim-Niederbayern";
        let long_line = "Verbindung unterbrochen – neuer Versuch in 30 Sekunden, bitte warten Sie einen Moment, die Sitzung wird danach automatisch fortgesetzt.";
        for lang in [Lang::En, Lang::De] {
            for scene in all_scenes(lang, long, Some(long_line)) {
                let fonts = fonts();
                let blocks: Vec<(&Paragraph, Vec<Line>)> = scene
                    .paragraphs
                    .iter()
                    .map(|p| (p, paragraph_lines(fonts, p, scene.text_width)))
                    .collect();
                let mut y = text_top(&scene, &blocks);
                for (p, lines) in &blocks {
                    y += p.gap_before;
                    for line in lines {
                        assert!(line.width <= scene.text_width as f32 + 0.5, "{line:?}");
                    }
                    y += p.line_height * lines.len() as f32;
                }
                let footer = if scene.buttons.is_empty() {
                    scene.size.height
                } else {
                    scene.size.height - FOOTER_HEIGHT
                };
                assert!(
                    y <= footer as f32 - 8.0,
                    "{lang:?}: text reaches {y}, footer at {footer}: {:?}",
                    scene.texts()
                );
            }
        }
    }

    #[test]
    fn our_own_sentences_are_never_cut() {
        for lang in [Lang::En, Lang::De] {
            for scene in all_scenes(lang, "Zoë Ørsted", Some("Reconnecting…")) {
                for p in &scene.paragraphs {
                    let lines = fonts().wrap(&p.spans, p.size, scene.text_width as f32);
                    assert!(lines.len() <= p.max_lines, "{lang:?}: {lines:?}");
                }
            }
        }
    }

    #[test]
    fn the_app_icon_has_transparent_corners() {
        let icon = app_icon(48);
        assert_eq!(icon.len(), 48 * 48);
        assert_eq!(icon[0] >> 24, 0, "corner is transparent");
        assert_eq!(icon[48 * 24 + 2] >> 24, 0xff, "edge middle is opaque");
        assert_eq!(icon[48 * 24 + 2] & 0xffffff, 0x1f5fd6);
    }

    #[test]
    fn german_render_differs_from_english() {
        let en = prompt_scene(Lang::En, "Zoë", Access::View);
        let de = prompt_scene(Lang::De, "Zoë", Access::View);
        let now = Instant::now();
        assert_ne!(paint(&en, &idle(&en), now), paint(&de, &idle(&de), now));
    }
}

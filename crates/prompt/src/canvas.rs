//! An opaque BGRA pixel buffer and the few anti-aliased shapes the windows
//! are drawn from (rectangles, rounded rectangles, circles).

use crate::layout::Rect;

/// An opaque sRGB colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Color {
    pub r: u8,
    pub g: u8,
    pub b: u8,
}

impl Color {
    /// `0xRRGGBB`.
    pub const fn hex(rgb: u32) -> Color {
        Color {
            r: (rgb >> 16) as u8,
            g: (rgb >> 8) as u8,
            b: rgb as u8,
        }
    }
}

/// A `width × height` image, four bytes per pixel in the order blue, green,
/// red, alpha (alpha always 255): `0xAARRGGBB` as little-endian `u32`, which
/// is what a 24/32-bit X11 TrueColor visual, Win32 DIBs and Core Graphics'
/// `kCGImageAlphaNoneSkipFirst | kCGBitmapByteOrder32Little` all take.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Canvas {
    width: usize,
    height: usize,
    data: Vec<u8>,
}

impl Canvas {
    /// A canvas filled with `color`.
    pub(crate) fn new(width: usize, height: usize, color: Color) -> Canvas {
        let pixel = [color.b, color.g, color.r, 255];
        Canvas {
            width,
            height,
            data: pixel.repeat(width * height),
        }
    }

    /// Width in pixels.
    pub fn width(&self) -> usize {
        self.width
    }

    /// Height in pixels.
    pub fn height(&self) -> usize {
        self.height
    }

    /// The BGRA bytes, row by row, without padding.
    pub fn bgra(&self) -> &[u8] {
        &self.data
    }

    /// The colour at (`x`, `y`), if inside.
    #[cfg(test)]
    pub(crate) fn pixel(&self, x: usize, y: usize) -> Option<Color> {
        if x >= self.width || y >= self.height {
            return None;
        }
        let i = (y * self.width + x) * 4;
        Some(Color {
            r: self.data[i + 2],
            g: self.data[i + 1],
            b: self.data[i],
        })
    }

    /// Mixes `color` into the pixel at (`x`, `y`) with `coverage` in 0..=1.
    /// Outside pixels are ignored, so shapes may be clipped by the edges.
    pub(crate) fn blend(&mut self, x: i32, y: i32, color: Color, coverage: f32) {
        if x < 0 || y < 0 || coverage <= 0.0 {
            return;
        }
        let (x, y) = (x as usize, y as usize);
        if x >= self.width || y >= self.height {
            return;
        }
        let i = (y * self.width + x) * 4;
        let a = coverage.min(1.0);
        let mix = |dst: u8, src: u8| -> u8 {
            (f32::from(dst) + (f32::from(src) - f32::from(dst)) * a).round() as u8
        };
        self.data[i] = mix(self.data[i], color.b);
        self.data[i + 1] = mix(self.data[i + 1], color.g);
        self.data[i + 2] = mix(self.data[i + 2], color.r);
    }

    /// Fills `rect` exactly (no anti-aliasing needed on pixel edges).
    pub(crate) fn fill_rect(&mut self, rect: Rect, color: Color) {
        for y in rect.y..rect.y + rect.height {
            for x in rect.x..rect.x + rect.width {
                self.blend(x, y, color, 1.0);
            }
        }
    }

    /// Fills a rectangle with corners of `radius`, anti-aliased. Coordinates
    /// are in pixels and may be fractional; (0, 0) is the top-left corner of
    /// the top-left pixel.
    pub(crate) fn fill_rounded(&mut self, shape: RoundRect, color: Color) {
        self.fill_rounded_with_opacity(shape, color, 1.0);
    }

    /// [`Canvas::fill_rounded`] letting `1 - opacity` of what is below show.
    pub(crate) fn fill_rounded_with_opacity(
        &mut self,
        shape: RoundRect,
        color: Color,
        opacity: f32,
    ) {
        let x0 = shape.x.floor() as i32;
        let y0 = shape.y.floor() as i32;
        let x1 = (shape.x + shape.width).ceil() as i32;
        let y1 = (shape.y + shape.height).ceil() as i32;
        for py in y0..y1 {
            for px in x0..x1 {
                let coverage = shape.coverage(px as f32 + 0.5, py as f32 + 0.5);
                self.blend(px, py, color, coverage * opacity);
            }
        }
    }

    /// Draws a `width`-pixel outline just inside `shape`.
    pub(crate) fn stroke_rounded(&mut self, shape: RoundRect, width: f32, color: Color) {
        let inner = shape.inset(width);
        let x0 = shape.x.floor() as i32;
        let y0 = shape.y.floor() as i32;
        let x1 = (shape.x + shape.width).ceil() as i32;
        let y1 = (shape.y + shape.height).ceil() as i32;
        for py in y0..y1 {
            for px in x0..x1 {
                let (cx, cy) = (px as f32 + 0.5, py as f32 + 0.5);
                let coverage = shape.coverage(cx, cy) - inner.coverage(cx, cy);
                self.blend(px, py, color, coverage);
            }
        }
    }
}

/// A rectangle with rounded corners, in fractional pixel coordinates.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct RoundRect {
    pub x: f32,
    pub y: f32,
    pub width: f32,
    pub height: f32,
    pub radius: f32,
}

impl RoundRect {
    /// `rect` with corners of `radius`.
    pub fn new(rect: Rect, radius: f32) -> RoundRect {
        RoundRect {
            x: rect.x as f32,
            y: rect.y as f32,
            width: rect.width as f32,
            height: rect.height as f32,
            radius,
        }
    }

    /// A circle of `diameter` whose bounding box starts at (`x`, `y`).
    pub fn circle(x: f32, y: f32, diameter: f32) -> RoundRect {
        RoundRect {
            x,
            y,
            width: diameter,
            height: diameter,
            radius: diameter / 2.0,
        }
    }

    /// The same shape grown (negative `by`) or shrunk on every side.
    pub fn inset(self, by: f32) -> RoundRect {
        RoundRect {
            x: self.x + by,
            y: self.y + by,
            width: (self.width - 2.0 * by).max(0.0),
            height: (self.height - 2.0 * by).max(0.0),
            radius: (self.radius - by).max(0.0),
        }
    }

    /// How much of a one-pixel square centred on (`px`, `py`) the shape
    /// covers, approximated from the signed distance to its edge.
    fn coverage(&self, px: f32, py: f32) -> f32 {
        if self.width <= 0.0 || self.height <= 0.0 {
            return 0.0;
        }
        let r = self.radius.min(self.width / 2.0).min(self.height / 2.0);
        let cx = self.x + self.width / 2.0;
        let cy = self.y + self.height / 2.0;
        // Distance from the rounded rectangle's edge (negative inside).
        let qx = (px - cx).abs() - (self.width / 2.0 - r);
        let qy = (py - cy).abs() - (self.height / 2.0 - r);
        let outside = (qx.max(0.0).powi(2) + qy.max(0.0).powi(2)).sqrt();
        let inside = qx.max(qy).min(0.0);
        let distance = outside + inside - r;
        (0.5 - distance).clamp(0.0, 1.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const WHITE: Color = Color::hex(0xffffff);
    const BLUE: Color = Color::hex(0x1f5fd6);

    #[test]
    fn bytes_are_bgra() {
        let canvas = Canvas::new(1, 1, Color::hex(0x112233));
        assert_eq!(canvas.bgra(), &[0x33, 0x22, 0x11, 0xff]);
    }

    #[test]
    fn rounded_rect_fills_inside_and_softens_corners() {
        let mut canvas = Canvas::new(20, 20, WHITE);
        let shape = RoundRect::new(
            Rect {
                x: 2,
                y: 2,
                width: 16,
                height: 16,
            },
            6.0,
        );
        canvas.fill_rounded(shape, BLUE);
        assert_eq!(canvas.pixel(10, 10), Some(BLUE));
        assert_eq!(canvas.pixel(2, 10), Some(BLUE));
        // The very corner pixel lies outside the rounded corner.
        assert_eq!(canvas.pixel(2, 2), Some(WHITE));
        assert_eq!(canvas.pixel(0, 0), Some(WHITE));
    }

    #[test]
    fn stroke_leaves_the_inside_alone() {
        let mut canvas = Canvas::new(20, 20, WHITE);
        let shape = RoundRect::new(
            Rect {
                x: 0,
                y: 0,
                width: 20,
                height: 20,
            },
            4.0,
        );
        canvas.stroke_rounded(shape, 1.0, BLUE);
        assert_eq!(canvas.pixel(10, 0), Some(BLUE));
        assert_eq!(canvas.pixel(10, 10), Some(WHITE));
    }

    #[test]
    fn drawing_outside_is_clipped() {
        let mut canvas = Canvas::new(4, 4, WHITE);
        canvas.fill_rect(
            Rect {
                x: -10,
                y: -10,
                width: 12,
                height: 12,
            },
            BLUE,
        );
        assert_eq!(canvas.pixel(1, 1), Some(BLUE));
        assert_eq!(canvas.pixel(2, 2), Some(WHITE));
    }
}

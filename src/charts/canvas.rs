//! The drawing surface of the charts: plotters' bitmap backend with its own text drawing.
//!
//! plotters 0.3.7 draws `ab_glyph` text with every glyph flush against its advance origin (the left side bearing
//! is dropped), so narrow glyphs leave gaps (`1 2939`) and full-width brackets shift. `Canvas` delegates every
//! shape to `BitMapBackend` and draws text itself from the embedded font: glyphs placed at their outline bounds,
//! kerning applied, the same layout box plotters uses for measuring (so anchors and label areas agree), rotation
//! honoured for axis titles.

use ab_glyph::{Font, FontRef, ScaleFont, point};
use plotters::prelude::*;
use plotters_backend::text_anchor::{HPos, VPos};
use plotters_backend::{BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingErrorKind};

pub(crate) struct Canvas<'a> {
    inner: BitMapBackend<'a>,
    font: FontRef<'static>,
}

impl<'a> Canvas<'a> {
    pub fn new(buf: &'a mut [u8], size: (u32, u32)) -> Self {
        let font = FontRef::try_from_slice(super::FONT).expect("the embedded font parses");
        Canvas { inner: BitMapBackend::with_buffer(buf, size), font }
    }
}

type Res<'a> = Result<(), DrawingErrorKind<<BitMapBackend<'a> as DrawingBackend>::ErrorType>>;

impl<'a> DrawingBackend for Canvas<'a> {
    type ErrorType = <BitMapBackend<'a> as DrawingBackend>::ErrorType;

    fn get_size(&self) -> (u32, u32) {
        self.inner.get_size()
    }
    fn ensure_prepared(&mut self) -> Res<'a> {
        self.inner.ensure_prepared()
    }
    fn present(&mut self) -> Res<'a> {
        self.inner.present()
    }
    fn draw_pixel(&mut self, point: BackendCoord, color: BackendColor) -> Res<'a> {
        self.inner.draw_pixel(point, color)
    }
    fn draw_line<S: BackendStyle>(&mut self, from: BackendCoord, to: BackendCoord, style: &S) -> Res<'a> {
        self.inner.draw_line(from, to, style)
    }
    fn draw_rect<S: BackendStyle>(&mut self, ul: BackendCoord, br: BackendCoord, style: &S, fill: bool) -> Res<'a> {
        self.inner.draw_rect(ul, br, style, fill)
    }
    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(&mut self, path: I, style: &S) -> Res<'a> {
        self.inner.draw_path(path, style)
    }
    fn draw_circle<S: BackendStyle>(&mut self, c: BackendCoord, r: u32, style: &S, fill: bool) -> Res<'a> {
        self.inner.draw_circle(c, r, style, fill)
    }
    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(&mut self, vert: I, style: &S) -> Res<'a> {
        self.inner.fill_polygon(vert, style)
    }
    fn blit_bitmap(&mut self, pos: BackendCoord, size: (u32, u32), src: &[u8]) -> Res<'a> {
        self.inner.blit_bitmap(pos, size, src)
    }

    fn draw_text<TStyle: BackendTextStyle>(&mut self, text: &str, style: &TStyle, pos: BackendCoord) -> Res<'a> {
        let color = style.color();
        if color.alpha == 0.0 {
            return Ok(());
        }
        let ((min_x, min_y), (max_x, max_y)) =
            style.layout_box(text).map_err(|e| DrawingErrorKind::FontError(Box::new(e)))?;
        let (width, height) = (max_x - min_x, max_y - min_y);
        let dx = match style.anchor().h_pos {
            HPos::Left => 0,
            HPos::Right => -width,
            HPos::Center => -width / 2,
        };
        let dy = match style.anchor().v_pos {
            VPos::Top => 0,
            VPos::Center => -height / 2,
            VPos::Bottom => -height,
        };
        let font = self.font.as_scaled(style.size() as f32);
        // The glyphs' vertical extent (ascent to descent) centred in the layout box.
        let baseline = height as f32 / 2.0 + (font.ascent() + font.descent()) / 2.0;
        let mut coverage: Vec<(i32, i32, f32)> = Vec::new();
        let mut x = 0f32;
        let mut prev = None;
        for c in text.chars() {
            let id = font.glyph_id(c);
            if let Some(p) = prev {
                x += font.kern(p, id);
            }
            if let Some(outline) = font.outline_glyph(id.with_scale_and_position(font.scale(), point(x, baseline))) {
                let b = outline.px_bounds();
                outline.draw(|gx, gy, v| coverage.push((b.min.x as i32 + gx as i32, b.min.y as i32 + gy as i32, v)));
            }
            x += font.h_advance(id);
            prev = Some(id);
        }
        let trans = style.transform();
        for (gx, gy, v) in coverage {
            let (tx, ty) = trans.transform(gx + dx - min_x, gy + dy - min_y);
            let c = BackendColor { alpha: color.alpha * v.clamp(0.0, 1.0) as f64, rgb: color.rgb };
            self.inner.draw_pixel((pos.0 + tx, pos.1 + ty), c)?;
        }
        Ok(())
    }
}

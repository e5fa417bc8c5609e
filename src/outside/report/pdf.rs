//! Marks to PDF with printpdf: the DejaVu Sans fonts (committed with their licence in
//! assets/fonts/) are embedded as subsets, so "Zoë Nguyễn-O'Brien" and "µg/kg" print right and a
//! report stays small. Widths come from the fonts' own advances, as printpdf lays text out.

use std::sync::OnceLock;

use chrono::{DateTime, Utc};
use printpdf::{
    Color, FontId, Line, LineDashPattern, LinePoint, Mm, Op, PaintMode, ParsedFont, PdfDocument, PdfFontHandle,
    PdfPage, PdfSaveOptions, Point, Polygon, PolygonRing, Pt, RawImage, RawImageData, RawImageFormat, TextItem,
    TextMatrix, WindingOrder, XObjectId, XObjectTransform,
};

use super::layout::{Mark, Measure, Rgb, PAGE_H, PAGE_W, PT};
use super::logo::Logo;

struct Fonts {
    regular: ParsedFont,
    bold: ParsedFont,
}

/// Parsed once per process: parsing costs more than laying out a whole report.
fn fonts() -> &'static Fonts {
    static FONTS: OnceLock<Fonts> = OnceLock::new();
    FONTS.get_or_init(|| {
        let parse = |bytes: &[u8]| ParsedFont::from_bytes(bytes, 0, &mut Vec::new()).expect("the bundled font parses");
        Fonts {
            regular: parse(include_bytes!("../../../assets/fonts/DejaVuSans.ttf")),
            bold: parse(include_bytes!("../../../assets/fonts/DejaVuSans-Bold.ttf")),
        }
    })
}

/// Measures with the bundled fonts.
pub struct FontMeasure;

impl Measure for FontMeasure {
    fn width(&self, text: &str, size: f64, bold: bool) -> f64 {
        let f = fonts();
        let font = if bold { &f.bold } else { &f.regular };
        let units: u64 = text
            .chars()
            .map(|c| font.get_horizontal_advance(font.lookup_glyph_index(c as u32).unwrap_or(0)) as u64)
            .sum();
        units as f64 / font.font_metrics.units_per_em as f64 * size * PT
    }
}

fn color(c: Rgb) -> Color {
    Color::Rgb(printpdf::Rgb {
        r: c.0,
        g: c.1,
        b: c.2,
        icc_profile: None,
    })
}

/// A point given in mm from the top-left, as PDF wants it (from the bottom-left).
fn point(x: f64, y: f64) -> LinePoint {
    LinePoint {
        p: Point::new(Mm(x as f32), Mm((PAGE_H - y) as f32)),
        bezier: false,
    }
}

/// The PDF of `pages`, titled, dated `created`, with `logo` wherever a page places it.
pub fn render(title: &str, created: DateTime<Utc>, pages: Vec<Vec<Mark>>, logo: Option<Logo>) -> Vec<u8> {
    let f = fonts();
    let mut doc = PdfDocument::new(title);
    doc.metadata.info.creator = "Infusion Chart".into();
    doc.metadata.info.producer = "Infusion Chart (printpdf)".into();
    if let Ok(when) = printpdf::OffsetDateTime::from_unix_timestamp(created.timestamp()) {
        doc.metadata.info.creation_date = when;
        doc.metadata.info.modification_date = when;
        doc.metadata.info.metadata_date = when;
    }
    let regular = doc.add_font(&f.regular);
    let bold = doc.add_font(&f.bold);
    let logo = logo.map(|l| {
        let format = match l.channels {
            1 => RawImageFormat::R8,
            2 => RawImageFormat::RG8,
            3 => RawImageFormat::RGB8,
            _ => RawImageFormat::RGBA8,
        };
        let image = RawImage {
            pixels: RawImageData::U8(l.pixels),
            width: l.width as usize,
            height: l.height as usize,
            data_format: format,
            tag: Vec::new(),
        };
        (doc.add_image(&image), l.width)
    });
    let pdf_pages = pages
        .into_iter()
        .map(|marks| {
            let mut ops = Vec::new();
            for mark in marks {
                draw(&mut ops, mark, (&regular, &bold), logo.as_ref());
            }
            PdfPage::new(Mm(PAGE_W as f32), Mm(PAGE_H as f32), ops)
        })
        .collect();
    doc.with_pages(pdf_pages);
    doc.save(&PdfSaveOptions::default(), &mut Vec::new())
}

fn draw(ops: &mut Vec<Op>, mark: Mark, (regular, bold): (&FontId, &FontId), logo: Option<&(XObjectId, u32)>) {
    match mark {
        Mark::Logo { x, y, w, h } => {
            if let Some((id, px_wide)) = logo {
                ops.push(Op::UseXobject {
                    id: id.clone(),
                    transform: XObjectTransform {
                        translate_x: Some(Mm(x as f32).into()),
                        translate_y: Some(Mm((PAGE_H - y - h) as f32).into()),
                        // Printed width = pixels / dpi inches.
                        dpi: Some(*px_wide as f32 / (w / 25.4) as f32),
                        ..Default::default()
                    },
                });
            }
        }
        Mark::Text {
            x,
            y,
            size,
            bold: is_bold,
            color: c,
            text,
        } => ops.extend([
            Op::StartTextSection,
            Op::SetTextMatrix {
                matrix: TextMatrix::Translate(Mm(x as f32).into(), Mm((PAGE_H - y) as f32).into()),
            },
            Op::SetFont {
                font: PdfFontHandle::External(if is_bold { bold.clone() } else { regular.clone() }),
                size: Pt(size as f32),
            },
            Op::SetFillColor { col: color(c) },
            Op::ShowText {
                items: vec![TextItem::Text(text)],
            },
            Op::EndTextSection,
        ]),
        Mark::Line {
            points,
            width,
            color: c,
            dash,
        } => {
            ops.push(Op::SaveGraphicsState);
            ops.push(Op::SetOutlineColor { col: color(c) });
            ops.push(Op::SetOutlineThickness {
                pt: Pt((width / PT) as f32),
            });
            if let Some(d) = dash {
                let d = (d / PT) as f32;
                ops.push(Op::SetLineDashPattern {
                    dash: LineDashPattern::new(0.0, &[d, d]),
                });
            }
            ops.push(Op::DrawLine {
                line: Line {
                    points: points.into_iter().map(|(x, y)| point(x, y)).collect(),
                    is_closed: false,
                },
            });
            ops.push(Op::RestoreGraphicsState);
        }
        Mark::Fill { x, y, w, h, color: c } => {
            ops.push(Op::SaveGraphicsState);
            ops.push(Op::SetFillColor { col: color(c) });
            ops.push(Op::DrawPolygon {
                polygon: Polygon {
                    rings: vec![PolygonRing {
                        points: vec![point(x, y), point(x + w, y), point(x + w, y + h), point(x, y + h)],
                    }],
                    mode: PaintMode::Fill,
                    winding_order: WindingOrder::NonZero,
                },
            });
            ops.push(Op::RestoreGraphicsState);
        }
    }
}

//! Page layout for reports: A4 pages with the clinic and patient header repeated on every page, a
//! footer with "page n of m", wrapped paragraphs, and tables whose header row repeats after a page
//! break. It produces `Mark`s (text, lines, boxes in mm from the top-left); `pdf.rs` turns them into
//! PDF operations, so layout can be tested without reading a PDF.

/// A4 portrait, in mm.
pub const PAGE_W: f64 = 210.0;
pub const PAGE_H: f64 = 297.0;
pub const MARGIN: f64 = 15.0;
const HEADER_H: f64 = 24.0;
const FOOTER_H: f64 = 10.0;
pub const BODY_W: f64 = PAGE_W - 2.0 * MARGIN;
const LOGO_H: f64 = 16.0;
const LOGO_MAX_W: f64 = 50.0;
/// Points to mm.
pub const PT: f64 = 25.4 / 72.0;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rgb(pub f32, pub f32, pub f32);

pub const BLACK: Rgb = Rgb(0.1, 0.13, 0.17);
pub const GREY: Rgb = Rgb(0.35, 0.4, 0.45);
pub const RULE: Rgb = Rgb(0.75, 0.79, 0.83);
pub const RED: Rgb = Rgb(0.7, 0.1, 0.1);

#[derive(Debug, Clone, PartialEq)]
pub enum Mark {
    /// `y` is the text's baseline.
    Text {
        x: f64,
        y: f64,
        size: f64,
        bold: bool,
        color: Rgb,
        text: String,
    },
    /// An open polyline; `dash` in mm (none: solid).
    Line {
        points: Vec<(f64, f64)>,
        width: f64,
        color: Rgb,
        dash: Option<f64>,
    },
    /// A filled box.
    Fill { x: f64, y: f64, w: f64, h: f64, color: Rgb },
    /// The clinic's logo, in this box.
    Logo { x: f64, y: f64, w: f64, h: f64 },
}

impl Mark {
    pub fn text(x: f64, y: f64, size: f64, bold: bool, color: Rgb, text: impl Into<String>) -> Mark {
        Mark::Text {
            x,
            y,
            size,
            bold,
            color,
            text: text.into(),
        }
    }

    pub fn line(points: Vec<(f64, f64)>, width: f64, color: Rgb, dash: Option<f64>) -> Mark {
        Mark::Line {
            points,
            width,
            color,
            dash,
        }
    }
}

/// How wide a text is, in mm, at a size in points: the font's own advance widths.
pub trait Measure {
    fn width(&self, text: &str, size: f64, bold: bool) -> f64;
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Align {
    Left,
    Right,
}

/// A table column: its title, width in mm and alignment.
pub struct Column {
    pub title: &'static str,
    pub width: f64,
    pub align: Align,
}

pub const fn col(title: &'static str, width: f64, align: Align) -> Column {
    Column { title, width, align }
}

/// The pages of one report as they are laid out.
pub struct Layout<'a> {
    measure: &'a dyn Measure,
    header: Vec<String>,
    /// The logo's width over its height, if the clinic has one.
    logo_aspect: Option<f64>,
    pages: Vec<Vec<Mark>>,
    y: f64,
}

const BODY_SIZE: f64 = 9.0;
const LINE: f64 = BODY_SIZE * PT * 1.35;
/// A heading: the space above it, its size in points, and the space below its baseline.
const HEADING_ABOVE: f64 = 3.0;
const HEADING_SIZE: f64 = 11.0;
const HEADING_BELOW: f64 = 2.5;
/// The room a figure asks for beyond its height: the space above it, and a little below.
const FIGURE_ABOVE: f64 = 3.0;
const FIGURE_EXTRA: f64 = 4.0;

impl<'a> Layout<'a> {
    /// `header` lines (clinic, then patient identifiers) top every page, with the logo at the right.
    pub fn new(measure: &'a dyn Measure, header: Vec<String>, logo_aspect: Option<f64>) -> Layout<'a> {
        let mut layout = Layout {
            measure,
            header,
            logo_aspect,
            pages: Vec::new(),
            y: 0.0,
        };
        layout.new_page();
        layout
    }

    fn page(&mut self) -> &mut Vec<Mark> {
        self.pages.last_mut().expect("a page")
    }

    fn new_page(&mut self) {
        self.pages.push(Vec::new());
        let mut y = MARGIN + 4.0;
        let header = std::mem::take(&mut self.header);
        for (i, line) in header.iter().enumerate() {
            let (size, bold) = if i == 0 {
                (12.0, true)
            } else {
                (8.5, i == header.len() - 1)
            };
            self.text_at(MARGIN, y, size, bold, BLACK, line);
            y += size * PT * 1.4;
        }
        self.header = header;
        if let Some(aspect) = self.logo_aspect {
            let h = LOGO_H.min(LOGO_MAX_W / aspect);
            let w = h * aspect;
            self.page().push(Mark::Logo {
                x: PAGE_W - MARGIN - w,
                y: MARGIN,
                w,
                h,
            });
        }
        self.rule(MARGIN + HEADER_H - 2.0, 0.3);
        self.y = MARGIN + HEADER_H + 2.0;
    }

    /// A rule across the body at `y`, `width` mm thick.
    fn rule(&mut self, y: f64, width: f64) {
        self.page().push(rule(y, width));
    }

    fn text_at(&mut self, x: f64, y: f64, size: f64, bold: bool, color: Rgb, text: &str) {
        self.page().push(Mark::text(x, y, size, bold, color, text));
    }

    /// Room for `h` mm more on this page, or a new page: true if a page was added.
    pub fn ensure(&mut self, h: f64) -> bool {
        let full = self.y + h > PAGE_H - MARGIN - FOOTER_H;
        if full {
            self.new_page();
        }
        full
    }

    pub fn heading(&mut self, text: &str) {
        self.ensure(8.0 + 3.0 * LINE);
        self.y += HEADING_ABOVE;
        let y = self.y + HEADING_SIZE * PT;
        self.text_at(MARGIN, y, HEADING_SIZE, true, BLACK, text);
        self.y = y + HEADING_BELOW;
    }

    /// A heading kept on the same page as the `figure` `figure_h` mm high that follows it.
    pub fn heading_over_figure(&mut self, text: &str, figure_h: f64) {
        self.ensure(HEADING_ABOVE + HEADING_SIZE * PT + HEADING_BELOW + figure_h + FIGURE_EXTRA);
        self.heading(text);
    }

    /// Text wrapped to the body's width; `color` for warnings.
    pub fn paragraph(&mut self, text: &str, bold: bool, color: Rgb) {
        for line in wrap(self.measure, text, BODY_SIZE, bold, BODY_W) {
            self.ensure(LINE);
            self.y += LINE;
            self.text_at(MARGIN, self.y, BODY_SIZE, bold, color, &line);
        }
    }

    /// "Label: value" lines, the labels in a column of their own.
    pub fn facts(&mut self, rows: &[(&str, String)]) {
        let label_w = 45.0;
        for (label, value) in rows {
            let lines = wrap(self.measure, value, BODY_SIZE, false, BODY_W - label_w);
            self.ensure(LINE * lines.len() as f64);
            self.y += LINE;
            self.text_at(MARGIN, self.y, BODY_SIZE, true, GREY, label);
            for (i, line) in lines.iter().enumerate() {
                if i > 0 {
                    self.y += LINE;
                }
                self.text_at(MARGIN + label_w, self.y, BODY_SIZE, false, BLACK, line);
            }
        }
    }

    /// A table; the header row repeats at the top of each page it continues on. A cell wraps
    /// within its column; `flagged` rows (late entries, alerts) print in red.
    pub fn table(&mut self, columns: &[Column], rows: impl IntoIterator<Item = (Vec<String>, bool)>) {
        let size = 8.0;
        let line = size * PT * 1.35;
        let header = |l: &mut Layout| {
            l.ensure(2.0 * line + 2.0);
            l.y += line;
            let mut x = MARGIN;
            for c in columns {
                l.cell(x, c, c.title, size, true, GREY);
                x += c.width;
            }
            l.y += 1.2;
            let y = l.y;
            l.rule(y, 0.3);
        };
        header(self);
        for (cells, flagged) in rows {
            let wrapped: Vec<Vec<String>> = columns
                .iter()
                .zip(&cells)
                .map(|(c, text)| wrap(self.measure, text, size, false, c.width - 1.5))
                .collect();
            let height = wrapped.iter().map(Vec::len).max().unwrap_or(1) as f64 * line;
            if self.ensure(height + 1.0) {
                header(self);
            }
            let top = self.y;
            let color = if flagged { RED } else { BLACK };
            let mut x = MARGIN;
            for (c, lines) in columns.iter().zip(&wrapped) {
                self.y = top;
                for l in lines {
                    self.y += line;
                    self.cell(x, c, l, size, false, color);
                }
                x += c.width;
            }
            self.y = top + height + 0.8;
            let y = self.y;
            self.rule(y, 0.1);
        }
    }

    fn cell(&mut self, x: f64, c: &Column, text: &str, size: f64, bold: bool, color: Rgb) {
        let x = match c.align {
            Align::Left => x,
            Align::Right => x + c.width - 1.5 - self.measure.width(text, size, bold),
        };
        let y = self.y;
        self.text_at(x, y, size, bold, color, text);
    }

    /// A drawing `h` mm high across the body: `draw` gets its top-left corner and adds marks.
    pub fn figure(&mut self, h: f64, draw: impl FnOnce(&dyn Measure, (f64, f64), &mut Vec<Mark>)) {
        self.ensure(h + FIGURE_EXTRA);
        self.y += FIGURE_ABOVE;
        let origin = (MARGIN, self.y);
        let measure = self.measure;
        draw(measure, origin, self.page());
        self.y += h;
    }

    /// The finished pages, each with its footer: `footer` left, "page n of m" right.
    pub fn finish(mut self, footer: &str) -> Vec<Vec<Mark>> {
        let total = self.pages.len();
        let y = PAGE_H - MARGIN + 2.0;
        for (i, page) in self.pages.iter_mut().enumerate() {
            let number = format!("page {} of {total}", i + 1);
            let w = self.measure.width(&number, 7.5, false);
            page.push(rule(y - 4.0, 0.3));
            page.push(Mark::text(MARGIN, y, 7.5, false, GREY, footer));
            page.push(Mark::text(PAGE_W - MARGIN - w, y, 7.5, false, GREY, number));
        }
        self.pages
    }
}

/// A rule across the body at `y`, `width` mm thick.
fn rule(y: f64, width: f64) -> Mark {
    Mark::line(vec![(MARGIN, y), (PAGE_W - MARGIN, y)], width, RULE, None)
}

/// `text` broken into lines no wider than `width` mm, at word boundaries (a word longer than the
/// line is cut). Explicit line breaks are kept.
///
/// Widths add up (a text is as wide as the sum of its characters' advances), so each word and each
/// character of a cut word is measured once, and the line's width is kept as it grows.
fn wrap(measure: &dyn Measure, text: &str, size: f64, bold: bool, width: f64) -> Vec<String> {
    let space = measure.width(" ", size, bold);
    let mut lines = Vec::new();
    for paragraph in text.split('\n') {
        let mut line = String::new();
        let mut line_w = 0.0;
        for word in paragraph.split_whitespace() {
            let word_w = measure.width(word, size, bold);
            let candidate_w = if line.is_empty() {
                word_w
            } else {
                line_w + space + word_w
            };
            if candidate_w <= width {
                if !line.is_empty() {
                    line.push(' ');
                }
                line.push_str(word);
                line_w = candidate_w;
                continue;
            }
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            let (mut rest, mut rest_w) = (word, word_w);
            while rest_w > width && rest.chars().nth(1).is_some() {
                let mut cut_w = 0.0;
                let mut end = 0;
                for ch in rest.chars() {
                    let ch_w = measure.width(ch.encode_utf8(&mut [0; 4]), size, bold);
                    if cut_w + ch_w > width && end > 0 {
                        break;
                    }
                    cut_w += ch_w;
                    end += ch.len_utf8();
                }
                lines.push(rest[..end].to_string());
                rest = &rest[end..];
                rest_w -= cut_w;
            }
            line = rest.to_string();
            line_w = rest_w;
        }
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every character 2 mm wide at any size: easy to reason about.
    struct Fixed;
    impl Measure for Fixed {
        fn width(&self, text: &str, _: f64, _: bool) -> f64 {
            text.chars().count() as f64 * 2.0
        }
    }

    #[test]
    fn words_wrap_within_the_width_and_long_words_are_cut() {
        assert_eq!(wrap(&Fixed, "aa bb cc", 9.0, false, 10.0), ["aa bb", "cc"]);
        assert_eq!(wrap(&Fixed, "abcdefghijkl", 9.0, false, 10.0), ["abcde", "fghij", "kl"]);
        assert_eq!(wrap(&Fixed, "one\ntwo", 9.0, false, 100.0), ["one", "two"]);
    }

    #[test]
    fn a_heading_over_a_figure_is_never_parted_from_it() {
        // Whatever comes before: a blank figure from 0 to 250 mm high, in 0.1 mm steps.
        for tenths in 0..2500 {
            let mut layout = Layout::new(&Fixed, vec!["Clinic".into()], None);
            layout.figure(tenths as f64 / 10.0, |_, _, _| {});
            layout.heading_over_figure("Vitals", 78.0);
            layout.figure(78.0, |_, (x, y), marks| {
                marks.push(Mark::Fill {
                    x,
                    y,
                    w: 1.0,
                    h: 1.0,
                    color: RED,
                })
            });
            let pages = layout.finish("Report x");
            let page_of = |found: &dyn Fn(&Mark) -> bool| pages.iter().position(|p| p.iter().any(found));
            let heading = page_of(&|m| matches!(m, Mark::Text { text, .. } if text == "Vitals"));
            let figure = page_of(&|m| matches!(m, Mark::Fill { .. }));
            assert_eq!(heading, figure, "after {tenths} tenths of a mm");
        }
    }

    #[test]
    fn a_long_table_continues_on_new_pages_with_its_header_and_every_row() {
        let mut layout = Layout::new(&Fixed, vec!["Clinic".into(), "Patient".into()], Some(2.0));
        let rows: Vec<(Vec<String>, bool)> = (0..200).map(|i| (vec![format!("row{i}")], false)).collect();
        layout.table(&[col("Time", 40.0, Align::Left)], rows);
        let pages = layout.finish("Report x");
        assert!(pages.len() > 2);
        let texts = |page: &Vec<Mark>| -> Vec<String> {
            page.iter()
                .filter_map(|m| match m {
                    Mark::Text { text, .. } => Some(text.clone()),
                    _ => None,
                })
                .collect()
        };
        let all: Vec<String> = pages.iter().flat_map(texts).collect();
        for i in 0..200 {
            assert_eq!(all.iter().filter(|t| **t == format!("row{i}")).count(), 1, "row{i}");
        }
        for (n, page) in pages.iter().enumerate() {
            let t = texts(page);
            assert!(t.contains(&"Time".to_string()), "header repeated on page {}", n + 1);
            assert!(t.contains(&"Patient".to_string()), "patient on page {}", n + 1);
            assert!(t.contains(&format!("page {} of {}", n + 1, pages.len())));
            assert!(page
                .iter()
                .any(|m| matches!(m, Mark::Logo { w, h, .. } if (w / h - 2.0).abs() < 1e-9)));
        }
    }
}

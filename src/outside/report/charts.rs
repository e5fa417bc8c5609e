//! The report's charts: vitals against minutes since the start, with the alert thresholds drawn and
//! alerts marked; and an outcome scale across a series, with the response and remission lines.

use crate::domain::alerts::Thresholds;
use crate::domain::validate::fmt_num;

use super::layout::{Mark, Measure, Rgb, BLACK, GREY, RED, RULE};

const SBP: Rgb = Rgb(0.65, 0.1, 0.15);
const DBP: Rgb = Rgb(0.85, 0.45, 0.2);
const HR: Rgb = Rgb(0.1, 0.35, 0.7);
const SPO2: Rgb = Rgb(0.1, 0.5, 0.3);
const LABEL: f64 = 7.0;

/// A plotting area: mm on the page for data ranges on the axes.
struct Plot {
    left: f64,
    top: f64,
    w: f64,
    h: f64,
    x: (f64, f64),
    y: (f64, f64),
}

impl Plot {
    fn at(&self, x: f64, y: f64) -> (f64, f64) {
        let fx = (x - self.x.0) / (self.x.1 - self.x.0);
        let fy = (y.clamp(self.y.0, self.y.1) - self.y.0) / (self.y.1 - self.y.0);
        (self.left + fx * self.w, self.top + self.h - fy * self.h)
    }

    /// Frame, grid, ticks and both axis titles.
    fn axes(&self, m: &dyn Measure, marks: &mut Vec<Mark>, x_ticks: &[f64], y_ticks: &[f64], titles: (&str, &str)) {
        let (l, t, r, b) = (self.left, self.top, self.left + self.w, self.top + self.h);
        for &v in y_ticks {
            let (_, y) = self.at(self.x.0, v);
            marks.push(Mark::line(vec![(l, y), (r, y)], 0.1, RULE, None));
            let text = fmt_num(v);
            marks.push(text_mark(l - 1.5 - m.width(&text, LABEL, false), y + 1.0, GREY, &text));
        }
        for &v in x_ticks {
            let (x, _) = self.at(v, self.y.0);
            marks.push(Mark::line(vec![(x, b), (x, b + 1.2)], 0.2, GREY, None));
            let text = fmt_num(v);
            marks.push(text_mark(x - m.width(&text, LABEL, false) / 2.0, b + 4.2, GREY, &text));
        }
        marks.push(Mark::line(vec![(l, t), (l, b), (r, b)], 0.3, BLACK, None));
        marks.push(text_mark(
            l + self.w / 2.0 - m.width(titles.0, LABEL, false) / 2.0,
            b + 8.0,
            GREY,
            titles.0,
        ));
        marks.push(text_mark(l, t - 1.5, GREY, titles.1));
    }

    /// A threshold across the plot, dashed, labelled at its right end.
    fn threshold(&self, m: &dyn Measure, marks: &mut Vec<Mark>, value: f64, color: Rgb, label: &str) {
        let (x0, y) = self.at(self.x.0, value);
        let (x1, _) = self.at(self.x.1, value);
        marks.push(Mark::line(vec![(x0, y), (x1, y)], 0.3, color, Some(1.2)));
        marks.push(small_text(
            x1 - m.width(label, 6.0, false) - 0.5,
            y - 0.8,
            color,
            label,
            6.0,
        ));
    }

    fn series(&self, marks: &mut Vec<Mark>, points: &[(f64, f64)], color: Rgb) {
        let pts: Vec<(f64, f64)> = points.iter().map(|&(x, y)| self.at(x, y)).collect();
        if pts.len() > 1 {
            marks.push(Mark::line(pts.clone(), 0.5, color, None));
        }
        for (x, y) in pts {
            marks.push(Mark::Fill {
                x: x - 0.7,
                y: y - 0.7,
                w: 1.4,
                h: 1.4,
                color,
            });
        }
    }
}

fn text_mark(x: f64, y: f64, color: Rgb, text: &str) -> Mark {
    small_text(x, y, color, text, LABEL)
}

fn small_text(x: f64, y: f64, color: Rgb, text: &str, size: f64) -> Mark {
    Mark::text(x, y, size, false, color, text)
}

/// Tick values from 0 up to `max`, `step` apart.
fn ticks(max: f64, step: f64) -> Vec<f64> {
    (0..=((max / step).floor() as i64)).map(|i| i as f64 * step).collect()
}

/// Legend entries in a row under a chart.
fn legend(m: &dyn Measure, marks: &mut Vec<Mark>, (left, y): (f64, f64), entries: &[(&str, Rgb, bool)]) {
    let mut x = left;
    for &(label, color, dashed) in entries {
        marks.push(Mark::line(
            vec![(x, y - 1.0), (x + 6.0, y - 1.0)],
            if dashed { 0.3 } else { 0.6 },
            color,
            dashed.then_some(1.0),
        ));
        marks.push(text_mark(x + 7.5, y, BLACK, label));
        x += 11.0 + m.width(label, LABEL, false);
    }
}

/// One vitals reading on the chart: minutes since the start, and its values.
pub struct Reading {
    pub minute: f64,
    pub sbp: f64,
    pub dbp: f64,
    pub hr: f64,
    pub spo2: f64,
    pub alert: bool,
}

/// SBP, DBP, HR and SpO2 against minutes since the start; alerts marked with a red bar and "!".
pub fn vitals(
    m: &dyn Measure,
    (left, top): (f64, f64),
    (w, h): (f64, f64),
    readings: &[Reading],
    t: &Thresholds,
) -> Vec<Mark> {
    let mut marks = Vec::new();
    let last = readings.iter().map(|r| r.minute).fold(10.0, f64::max);
    let step = if last > 120.0 {
        30.0
    } else if last > 60.0 {
        20.0
    } else {
        10.0
    };
    let x_max = (last / step).ceil() * step;
    let first = readings.iter().map(|r| r.minute).fold(0.0, f64::min);
    let x_min = (first / step).floor() * step;
    let plot = Plot {
        left: left + 10.0,
        top: top + 4.0,
        w: w - 12.0,
        h: h - 22.0,
        x: (x_min, x_max),
        y: (0.0, 240.0),
    };
    let x_ticks: Vec<f64> = ticks(x_max - x_min, step).into_iter().map(|v| v + x_min).collect();
    plot.axes(
        m,
        &mut marks,
        &x_ticks,
        &ticks(240.0, 40.0),
        ("minutes since the infusion started", "mmHg · bpm · %"),
    );
    for (value, color, label) in [
        (t.high_sbp, SBP, format!("SBP alert > {}", t.high_sbp)),
        (t.high_hr, HR, format!("HR alert > {}", t.high_hr)),
        (t.high_dbp, DBP, format!("DBP alert > {}", t.high_dbp)),
        (t.low_spo2, SPO2, format!("SpO2 alert < {}", t.low_spo2)),
    ] {
        plot.threshold(m, &mut marks, value as f64, color, &label);
    }
    for r in readings.iter().filter(|r| r.alert) {
        let (x, y_top) = plot.at(r.minute, 240.0);
        let (_, y_bottom) = plot.at(r.minute, 0.0);
        marks.push(Mark::line(vec![(x, y_top), (x, y_bottom)], 0.4, RED, Some(0.8)));
        marks.push(Mark::text(x - 0.8, y_top - 0.5, 8.0, true, RED, "!"));
    }
    let pick = |f: fn(&Reading) -> f64| readings.iter().map(|r| (r.minute, f(r))).collect::<Vec<_>>();
    plot.series(&mut marks, &pick(|r| r.sbp), SBP);
    plot.series(&mut marks, &pick(|r| r.dbp), DBP);
    plot.series(&mut marks, &pick(|r| r.hr), HR);
    plot.series(&mut marks, &pick(|r| r.spo2), SPO2);
    legend(
        m,
        &mut marks,
        (plot.left, top + h - 2.0),
        &[
            ("SBP", SBP, false),
            ("DBP", DBP, false),
            ("HR", HR, false),
            ("SpO2", SPO2, false),
            ("alert threshold", GREY, true),
            ("! alert", RED, true),
        ],
    );
    marks
}

/// One outcome scale across the series: totals by session number, the 50 % response line (half the
/// baseline) and the remission line.
pub fn trend(
    m: &dyn Measure,
    (left, top): (f64, f64),
    (w, h): (f64, f64),
    points: &[(String, f64)],
    (total_max, baseline, remission_below): (f64, Option<f64>, Option<f64>),
) -> Vec<Mark> {
    let mut marks = Vec::new();
    let n = points.len().max(2) as f64;
    let plot = Plot {
        left: left + 10.0,
        top: top + 4.0,
        w: w - 12.0,
        h: h - 22.0,
        x: (0.5, n + 0.5),
        y: (0.0, total_max),
    };
    let step = if total_max > 40.0 { 20.0 } else { 5.0 };
    plot.axes(
        m,
        &mut marks,
        &[],
        &ticks(total_max, step),
        ("score by date taken", "total"),
    );
    for (i, (label, _)) in points.iter().enumerate() {
        let (x, y) = plot.at(i as f64 + 1.0, 0.0);
        marks.push(small_text(
            x - m.width(label, 6.0, false) / 2.0,
            y + 4.2,
            GREY,
            label,
            6.0,
        ));
    }
    if let Some(b) = baseline {
        plot.threshold(
            m,
            &mut marks,
            b / 2.0,
            RED,
            &format!("response: 50 % of baseline ({})", fmt_num(b / 2.0)),
        );
    }
    if let Some(r) = remission_below {
        plot.threshold(m, &mut marks, r, SPO2, &format!("remission: below {}", fmt_num(r)));
    }
    let series: Vec<(f64, f64)> = points
        .iter()
        .enumerate()
        .map(|(i, (_, v))| (i as f64 + 1.0, *v))
        .collect();
    plot.series(&mut marks, &series, HR);
    legend(
        m,
        &mut marks,
        (plot.left, top + h - 2.0),
        &[
            ("total", HR, false),
            ("response line", RED, true),
            ("remission line", SPO2, true),
        ],
    );
    marks
}

//! The workbooks of `sweep`, `target` and `sensitivity`: their table and one
//! native chart each.

use rust_xlsxwriter::{
    ChartAxisLabelPosition, ChartFormat, ChartLine, ChartLineDashType, ChartSolidFill, ChartType,
    XlsxError,
};

use super::{Formats, chart, colour, run_error, table_sheet, workbook, write_table};
use crate::error::Error;
use crate::report::format::Style;
use crate::report::sheet::{self, Cell, Sheet};
use crate::scenario::{ChartOptions, Language};

/// `sweep.xlsx`: the points and a chart of the metric: its p10, median and
/// p90 against one parameter; for two, the median against the first with a
/// line per value of the second (from a small table of medians under the points).
pub fn sweep_workbook(s: &crate::analysis::sweep::Sweep) -> Result<Vec<u8>, Error> {
    let build = || -> Result<Vec<u8>, XlsxError> {
        let f = Formats::new(&s.currency);
        let t = sheet::sweep(s);
        let mut book = workbook()?;
        let (ws, mut widths, mut next) = table_sheet(&mut book, "Sweep", &t, &f)?;
        let language = s.chart.language;
        let names: Vec<String> = s
            .axes
            .iter()
            .map(|a| s.names.name(&a.path, language))
            .collect();
        let metric = Style::of(&s.chart, &s.currency).metric(s.metric);
        let title = match language {
            Language::English => format!("{metric} by {}", names.join(" / ")),
            Language::Japanese => format!("{}別の{metric}", names.join(" / ")),
        };
        let mut c = chart(ChartType::Line, &title, &names[0], metric);
        // mean, sd, p5 come first among the statistics.
        let p50 = s.axes.len() + 5;
        if let [first, second] = s.axes.as_slice() {
            let (rows, columns) = (first.values.len(), second.values.len());
            let mut medians = Sheet::new([names[0].clone()]);
            medians.header.extend(
                second
                    .values
                    .iter()
                    .map(|v| format!("{} = {}", names[1], v.label())),
            );
            for i in 0..rows {
                let mut row = vec![t.rows[i * columns][0].clone()];
                row.extend((0..columns).map(|j| t.rows[i * columns + j][p50].clone()));
                medians.rows.push(row);
            }
            let top = next + 1;
            next = write_table(ws, top, &medians, &f, &mut widths)?;
            for j in 0..columns {
                let col = 1 + j as u16;
                c.add_series()
                    .set_name(&medians.header[col as usize])
                    .set_categories(("Sweep", top + 1, 0, next - 1, 0))
                    .set_values(("Sweep", top + 1, col, next - 1, col))
                    .set_format(ChartLine::new().set_color(colour(j)).set_width(2.0));
            }
        } else {
            let n = t.rows.len() as u32;
            for (k, p) in ["p10", "p50", "p90"].iter().enumerate() {
                let col = (p50 - 1 + k) as u16;
                let mut line = ChartLine::new();
                line.set_color(colour(0))
                    .set_width(if k == 1 { 2.25 } else { 1.0 });
                if k != 1 {
                    line.set_dash_type(ChartLineDashType::Dash);
                }
                c.add_series()
                    .set_name(*p)
                    .set_categories(("Sweep", 1, 0, n, 0))
                    .set_values(("Sweep", 1, col, n, col))
                    .set_format(&mut line);
            }
        }
        widths.apply(ws)?;
        ws.insert_chart(next + 1, 0, &c)?;
        book.save_to_buffer()
    };
    build().map_err(run_error)
}

/// `target.xlsx`: P(goal) against the value, and the cascade.
pub fn target_workbook(t: &crate::analysis::sweep::Target) -> Result<Vec<u8>, Error> {
    let build = || -> Result<Vec<u8>, XlsxError> {
        let f = Formats::new(&t.currency);
        let table = sheet::target(t);
        let mut book = workbook()?;
        let (ws, widths, _) = table_sheet(&mut book, "Target", &table, &f)?;
        widths.apply(ws)?;
        let n = t.curve.len() as u32;
        let language = t.chart.language;
        let title = match language {
            Language::English => "P(goal) against the value",
            Language::Japanese => "値ごとの目標達成確率",
        };
        let x = t.names.name(&t.axis.path, language);
        let mut c = chart(ChartType::ScatterStraightWithMarkers, title, &x, "P(goal)");
        c.y_axis().set_num_format("0%");
        c.add_series()
            .set_name("P(goal)")
            .set_categories(("Target", 1, 1, n, 1))
            .set_values(("Target", 1, 2, n, 2))
            .set_format(ChartLine::new().set_color(colour(0)).set_width(2.0));
        ws.insert_chart(1, 9, &c)?;
        book.save_to_buffer()
    };
    build().map_err(run_error)
}

/// `sensitivity.xlsx`: the inputs, and a tornado of the 15
/// largest swings (each end's change from the value at the means).
pub fn sensitivity_workbook(
    s: &crate::analysis::sensitivity::Sensitivity,
    options: &ChartOptions,
) -> Result<Vec<u8>, Error> {
    let build = || -> Result<Vec<u8>, XlsxError> {
        let f = Formats::new(&s.currency);
        let t = sheet::sensitivity(s);
        let mut book = workbook()?;
        let (ws, mut widths, _) = table_sheet(&mut book, "Sensitivity", &t, &f)?;
        let unit = s.metric.unit();
        let language = options.language;
        let (low, high, name) = match language {
            Language::English => ("at low", "at high", "name"),
            Language::Japanese => ("低い側", "高い側", "名前"),
        };
        let mut tornado = Sheet::new(["input", "at low − base", "at high − base", name]);
        for e in s.inputs.iter().filter(|e| e.swing.is_some()).take(15) {
            let change = |x: Option<f64>| Cell::number(x.zip(s.base).map(|(x, b)| x - b), unit);
            tornado.rows.push(vec![
                Cell::text(&e.input),
                change(e.metric_at_low),
                change(e.metric_at_high),
                Cell::text(s.names.name(&e.input, language)),
            ]);
        }
        let top = t.rows.len() as u32 + 2;
        write_table(ws, top, &tornado, &f, &mut widths)?;
        widths.apply(ws)?;
        let n = tornado.rows.len() as u32;
        if n == 0 {
            // No input moves the metric: a table, and no chart of nothing.
            return book.save_to_buffer();
        }
        let metric = Style::of(options, &s.currency).metric(s.metric);
        let title = match language {
            Language::English => format!("{metric}: change from the value at the means"),
            Language::Japanese => format!("{metric}：全入力が平均のときからの変化"),
        };
        // In a bar chart the categories run up the y axis: reversed, the largest swing is on top.
        let mut c = chart(ChartType::Bar, &title, metric, "");
        c.y_axis()
            .set_reverse()
            .set_label_position(ChartAxisLabelPosition::Low);
        for (k, name) in [low, high].iter().enumerate() {
            let col = 1 + k as u16;
            c.add_series()
                .set_name(*name)
                .set_categories(("Sensitivity", top + 1, 3, top + n, 3))
                .set_values(("Sensitivity", top + 1, col, top + n, col))
                .set_overlap(100)
                .set_format(
                    ChartFormat::new().set_solid_fill(ChartSolidFill::new().set_color(colour(k))),
                );
        }
        c.set_height(480);
        ws.insert_chart(top, 5, &c)?;
        book.save_to_buffer()
    };
    build().map_err(run_error)
}

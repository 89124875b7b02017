//! `report.xlsx`: the results as an Excel workbook with native charts. The
//! data sheets are the same [`Sheet`]s the CSV files are written from; the
//! Summary sheet is the KPI table of [`KpiTable`], as the terminal and
//! report.md show it. Numbers stay numbers, with a format per unit.

use rust_xlsxwriter::{
    Chart, ChartFormat, ChartLine, ChartLineDashType, ChartSolidFill, ChartType, Color,
    DocProperties, ExcelDateTime, Format, FormatBorder, Workbook, Worksheet, XlsxError,
};

use crate::analysis::summary::Results;
use crate::error::Error;
use crate::report::format::style_of;
use crate::report::kpis::{KpiTable, target_rows};
use crate::report::sheet::{self, Cell, Sheet};
use crate::runs::engine::SetupRuns;
use crate::scenario::Language;
use crate::scenario::metric::{FUNNEL_STAGES, Metric, Unit};

mod studies;
pub use studies::{sensitivity_workbook, sweep_workbook, target_workbook};

/// The workbook of `run` and `compare`, in an output folder.
pub const REPORT_XLSX: &str = "report.xlsx";
/// The workbooks of the studies: named for them, since `sweep` and `target`
/// write into the same folder as `run` by default.
pub const SWEEP_XLSX: &str = "sweep.xlsx";
/// See [`SWEEP_XLSX`].
pub const TARGET_XLSX: &str = "target.xlsx";
/// See [`SWEEP_XLSX`].
pub const SENSITIVITY_XLSX: &str = "sensitivity.xlsx";

/// Rows an Excel sheet holds, the header included.
const EXCEL_ROWS: usize = 1_048_576;

/// Widest column, in characters.
const MAX_WIDTH: usize = 48;

/// The number formats of every unit, and the header style.
struct Formats {
    header: Format,
    bold: Format,
    count: Format,
    rate: Format,
    days: Format,
    money: Format,
    ratio: Format,
    integer: Format,
}

impl Formats {
    fn new(currency: &str) -> Formats {
        let money = if crate::scenario::is_yen(currency) {
            "¥#,##0".to_string()
        } else if currency.is_empty() {
            "#,##0".to_string()
        } else {
            format!("#,##0 \"{}\"", currency.replace('"', ""))
        };
        Formats {
            header: Format::new()
                .set_bold()
                .set_text_wrap()
                .set_border_bottom(FormatBorder::Thin),
            bold: Format::new().set_bold(),
            count: Format::new().set_num_format("#,##0"),
            rate: Format::new().set_num_format("0.0%"),
            days: Format::new().set_num_format("0.0"),
            money: Format::new().set_num_format(money),
            ratio: Format::new().set_num_format("0.00"),
            integer: Format::new().set_num_format("0"),
        }
    }

    fn of(&self, unit: Unit) -> &Format {
        match unit {
            Unit::Count => &self.count,
            Unit::Rate => &self.rate,
            Unit::Days | Unit::Months => &self.days,
            Unit::Money => &self.money,
            Unit::Ratio => &self.ratio,
        }
    }
}

/// A workbook whose bytes depend only on its content (a fixed creation date).
fn workbook() -> Result<Workbook, XlsxError> {
    let mut book = Workbook::new();
    let created = ExcelDateTime::from_ymd(2026, 1, 1)?;
    book.set_properties(
        &DocProperties::new()
            .set_creation_datetime(&created)
            .set_author("funnelsim"),
    );
    Ok(book)
}

fn run_error(e: XlsxError) -> Error {
    Error::Run(format!("could not build report.xlsx: {e}"))
}

/// Writes one cell.
fn put(ws: &mut Worksheet, row: u32, col: u16, cell: &Cell, f: &Formats) -> Result<(), XlsxError> {
    match cell {
        Cell::Text(s) => ws.write_string(row, col, s).map(|_| ()),
        Cell::Number { value, unit } => ws
            .write_number_with_format(row, col, *value, f.of(*unit))
            .map(|_| ()),
        Cell::Integer(n) => ws
            .write_number_with_format(row, col, *n as f64, &f.integer)
            .map(|_| ()),
        Cell::Shown { value, unit, .. } => ws
            .write_number_with_format(row, col, *value, f.of(*unit))
            .map(|_| ()),
        Cell::Empty => Ok(()),
    }
}

/// Column widths of a worksheet, widened by every table written on it.
#[derive(Default)]
struct Widths(Vec<usize>);

impl Widths {
    fn widen(&mut self, col: usize, width: usize) {
        if self.0.len() <= col {
            self.0.resize(col + 1, 8);
        }
        self.0[col] = self.0[col].max(width.min(MAX_WIDTH));
    }

    /// Sets the widths, and the page setup: landscape, one page wide.
    fn apply(&self, ws: &mut Worksheet) -> Result<(), XlsxError> {
        for (c, w) in self.0.iter().enumerate() {
            ws.set_column_width(c as u16, *w as f64 + 1.0)?;
        }
        ws.set_landscape();
        ws.set_print_fit_to_pages(1, 0);
        Ok(())
    }
}

/// Writes a sheet at `top`, its header row first (frozen when `top` is 0);
/// returns the row after it.
fn write_table(
    ws: &mut Worksheet,
    top: u32,
    t: &Sheet,
    f: &Formats,
    widths: &mut Widths,
) -> Result<u32, XlsxError> {
    write_rows(ws, top, &t.header, t.rows.iter(), f, widths)
}

/// Writes a header row at `top` and the rows under it; returns the row after them.
fn write_rows<R: std::borrow::Borrow<Vec<Cell>>>(
    ws: &mut Worksheet,
    top: u32,
    header: &[String],
    rows: impl Iterator<Item = R>,
    f: &Formats,
    widths: &mut Widths,
) -> Result<u32, XlsxError> {
    for (c, h) in header.iter().enumerate() {
        ws.write_string_with_format(top, c as u16, h, &f.header)?;
        widths.widen(c, crate::report::table::width(h).min(24));
    }
    let mut next = top + 1;
    for (r, row) in rows.enumerate() {
        for (c, cell) in row.borrow().iter().enumerate() {
            put(ws, next, c as u16, cell, f)?;
            if r < 500 {
                let w = match cell {
                    Cell::Text(s) => crate::report::table::width(s),
                    Cell::Number { .. } | Cell::Integer(_) | Cell::Shown { .. } => 12,
                    Cell::Empty => 0,
                };
                widths.widen(c, w);
            }
        }
        next += 1;
    }
    if top == 0 {
        ws.set_freeze_panes(1, 0)?;
    }
    Ok(next)
}

/// A data sheet of its own.
fn add_sheet(book: &mut Workbook, name: &str, t: &Sheet, f: &Formats) -> Result<(), XlsxError> {
    let (ws, widths, _) = table_sheet(book, name, t, f)?;
    widths.apply(ws)
}

/// A new sheet holding a table from its first row: the sheet, its column
/// widths so far (more may be written before they are applied) and the row after the table.
fn table_sheet<'b>(
    book: &'b mut Workbook,
    name: &str,
    t: &Sheet,
    f: &Formats,
) -> Result<(&'b mut Worksheet, Widths, u32), XlsxError> {
    let ws = book.add_worksheet();
    ws.set_name(name)?;
    let mut widths = Widths::default();
    let next = write_table(ws, 0, t, f, &mut widths)?;
    Ok((ws, widths, next))
}

/// The colour of setup `i`, as the PNG charts draw it.
fn colour(i: usize) -> Color {
    let c = crate::charts::setup_colour(i);
    Color::RGB(((c.0 as u32) << 16) | ((c.1 as u32) << 8) | c.2 as u32)
}

/// A chart with a title and axis names: the frame every chart of the workbook shares.
fn chart(kind: ChartType, title: &str, x: &str, y: &str) -> Chart {
    let mut c = Chart::new(kind);
    c.title().set_name(title);
    c.x_axis().set_name(x);
    c.y_axis().set_name(y);
    c.set_width(720).set_height(400);
    c
}

/// `report.xlsx` of `run` and `compare`.
pub fn run_workbook(r: &Results, all: &[SetupRuns], samples: bool) -> Result<Vec<u8>, Error> {
    build_run(r, all, samples).map_err(run_error)
}

fn build_run(r: &Results, all: &[SetupRuns], samples: bool) -> Result<Vec<u8>, XlsxError> {
    let f = Formats::new(&r.currency);
    let mut book = workbook()?;
    summary_sheet(&mut book, r, &f)?;
    monthly_sheet(&mut book, r, &f)?;
    add_sheet(
        &mut book,
        "BySource",
        &sheet::breakdown(r, "source", false),
        &f,
    )?;
    if !r.uplift.is_empty() {
        add_sheet(&mut book, "Uplift", &sheet::uplift(r), &f)?;
    }
    add_sheet(&mut book, "Parameters", &parameters(r), &f)?;
    distribution_sheet(&mut book, r, all, &f)?;
    if samples {
        // A row per run and setup: streamed to a temporary file, not held in memory.
        let ws = book.add_worksheet_with_constant_memory()?;
        ws.set_name("Runs")?;
        let runs = sheet::Runs::new(all, r.seed);
        if runs.len() >= EXCEL_ROWS {
            let why = format!(
                "{} runs do not fit in a sheet (Excel holds {} rows): runs.csv has them all",
                runs.len(),
                EXCEL_ROWS - 1
            );
            ws.write_string(0, 0, why)?;
        } else {
            let mut widths = Widths::default();
            write_rows(ws, 0, &runs.header, runs.rows(), &f, &mut widths)?;
            widths.apply(ws)?;
        }
    }
    book.save_to_buffer()
}

/// Every resolved parameter of every setup, as written.
fn parameters(r: &Results) -> Sheet {
    let mut t = Sheet::new(["setup", "parameter", "value"]);
    for p in &r.parameters {
        for (path, value) in &p.values {
            t.rows.push(vec![
                Cell::text(&p.setup),
                Cell::text(path),
                Cell::text(value),
            ]);
        }
    }
    t
}

/// The words of the Summary sheet, in the results' language.
struct Words {
    scenario: &'static str,
    seed: &'static str,
    runs: &'static str,
    horizon: &'static str,
    currency: &'static str,
    version: &'static str,
    kpi: &'static str,
    median: &'static str,
    better: &'static str,
    target: &'static str,
    p_met: &'static str,
    funnel: &'static str,
    stage: &'static str,
    month: &'static str,
    per_month: &'static str,
    share: &'static str,
}

fn words(language: Language) -> Words {
    match language {
        Language::English => Words {
            scenario: "Scenario",
            seed: "Seed",
            runs: "Runs per setup",
            horizon: "Horizon (months)",
            currency: "Currency",
            version: "Program",
            kpi: "KPI",
            median: "median",
            better: "P(better)",
            target: "Target",
            p_met: "P(met)",
            funnel: "Funnel by stage (median of the runs)",
            stage: "Stage",
            month: "month",
            per_month: "{metric} per month: p10, median and p90 of the runs",
            share: "share of runs",
        },
        Language::Japanese => Words {
            scenario: "シナリオ",
            seed: "シード",
            runs: "試行回数（セットアップごと）",
            horizon: "期間（月）",
            currency: "通貨",
            version: "プログラム",
            kpi: "KPI",
            median: "中央値",
            better: "改善の確率",
            target: "目標",
            p_met: "達成確率",
            funnel: "段階別ファネル（試行の中央値）",
            stage: "段階",
            month: "月",
            per_month: "月別の{metric}（試行のp10・中央値・p90）",
            share: "試行の割合",
        },
    }
}

/// The run's facts, the KPI table by owner, the targets, and the funnel chart.
fn summary_sheet(book: &mut Workbook, r: &Results, f: &Formats) -> Result<(), XlsxError> {
    let style = style_of(r);
    let w = words(r.chart.language);
    let ws = book.add_worksheet();
    ws.set_name("Summary")?;
    let facts: [(&str, Cell); 6] = [
        (w.scenario, Cell::text(&r.scenario)),
        (w.seed, Cell::Integer(r.seed)),
        (w.runs, Cell::Integer(r.runs)),
        (
            w.horizon,
            Cell::text(format!(
                "{} ({} – {})",
                r.horizon_months,
                r.months.first().map_or("", String::as_str),
                r.months.last().map_or("", String::as_str)
            )),
        ),
        (w.currency, Cell::text(&r.currency)),
        (
            w.version,
            Cell::text(format!("{} {}", r.program, r.version)),
        ),
    ];
    for (i, (label, value)) in facts.iter().enumerate() {
        ws.write_string_with_format(i as u32, 0, *label, &f.bold)?;
        put(ws, i as u32, 1, value, f)?;
    }
    let table = KpiTable::of(r);
    let mut kpis = Sheet::new([w.kpi.to_string()]);
    for s in &table.setups {
        kpis.header.extend([
            format!("{s} {}", w.median),
            format!("{s} p10"),
            format!("{s} p90"),
        ]);
    }
    for u in &table.uplifts {
        kpis.header.extend([
            format!("{u} / {} {}", table.setups[0], w.median),
            format!("{u} {}", w.better),
        ]);
    }
    let mut sections = Vec::new();
    for section in &table.sections {
        sections.push(kpis.rows.len());
        let mut row = vec![Cell::text(section.label)];
        row.resize(kpis.header.len(), Cell::Empty);
        kpis.rows.push(row);
        for k in &section.rows {
            let unit = k.metric.unit();
            let mut row = vec![Cell::text(format!("  {}", k.label))];
            for s in &k.setups {
                row.extend([s.p50, s.p10, s.p90].map(|x| Cell::number(x, unit)));
            }
            for u in &k.uplifts {
                let (median, unit) = match unit {
                    Unit::Count | Unit::Money => (u.ratio.p50, Unit::Ratio),
                    _ => (u.difference.p50, unit),
                };
                row.push(Cell::number(median, unit));
                row.push(Cell::number(Some(u.p_better), Unit::Rate));
            }
            kpis.rows.push(row);
        }
    }
    let mut widths = Widths::default();
    widths.widen(
        0,
        facts
            .iter()
            .map(|(l, _)| crate::report::table::width(l))
            .max()
            .unwrap_or(0),
    );
    let top = facts.len() as u32 + 1;
    let mut next = write_table(ws, top, &kpis, f, &mut widths)?;
    for i in sections {
        ws.write_string_with_format(top + 1 + i as u32, 0, kpis.rows[i][0].as_text(), &f.bold)?;
    }
    ws.set_freeze_panes(top + 1, 1)?;
    let targets = target_rows(r);
    if !targets.is_empty() {
        let mut t = Sheet::new([w.target.to_string()]);
        t.header
            .extend(table.setups.iter().map(|s| format!("{s} {}", w.p_met)));
        for row in &targets {
            let goal = &row.goal;
            let mut cells = vec![Cell::text(format!(
                "{} {} {}",
                style.metric(goal.metric),
                goal.comparison.symbol(),
                crate::report::files::num(Some(goal.value))
            ))];
            cells.extend(row.p_met.iter().map(|p| Cell::number(*p, Unit::Rate)));
            t.rows.push(cells);
        }
        next = write_table(ws, next + 1, &t, f, &mut widths)?;
    }
    funnel_block(ws, r, next + 1, f, &w, &mut widths)?;
    widths.apply(ws)
}

/// The funnel's medians by stage and setup, and its column chart beside them.
fn funnel_block(
    ws: &mut Worksheet,
    r: &Results,
    top: u32,
    f: &Formats,
    w: &Words,
    widths: &mut Widths,
) -> Result<(), XlsxError> {
    let style = style_of(r);
    let mut t = Sheet::new([w.stage.to_string()]);
    t.header.extend(r.setups.iter().map(|s| s.name.clone()));
    for m in FUNNEL_STAGES {
        let mut row = vec![Cell::text(style.metric(m))];
        row.extend(
            r.setups
                .iter()
                .map(|s| Cell::number(s.metric(m).p50, Unit::Count)),
        );
        t.rows.push(row);
    }
    ws.write_string_with_format(top, 0, w.funnel, &f.bold)?;
    write_table(ws, top + 1, &t, f, widths)?;
    let mut c = chart(
        ChartType::Column,
        w.funnel,
        w.stage,
        style.metric(Metric::Leads),
    );
    c.y_axis().set_name("").set_num_format("#,##0");
    let last = top + 1 + FUNNEL_STAGES.len() as u32;
    for (i, s) in r.setups.iter().enumerate() {
        let col = 1 + i as u16;
        c.add_series()
            .set_name(&s.name)
            .set_categories(("Summary", top + 2, 0, last, 0))
            .set_values(("Summary", top + 2, col, last, col))
            .set_format(
                ChartFormat::new().set_solid_fill(ChartSolidFill::new().set_color(colour(i))),
            );
    }
    ws.insert_chart(last + 2, 0, &c)?;
    Ok(())
}

/// Per setup and month, the p10, p50 and p90 of every count and of revenue;
/// the chart of won deals per month beside them.
fn monthly_sheet(book: &mut Workbook, r: &Results, f: &Formats) -> Result<(), XlsxError> {
    let style = style_of(r);
    let metrics: Vec<Metric> = r.setups[0].monthly[0]
        .metrics
        .iter()
        .map(|m| m.metric)
        .filter(|m| m.unit() == Unit::Count || *m == Metric::Revenue)
        .collect();
    let mut t = Sheet::new(["setup", "month"]);
    for m in &metrics {
        t.header
            .extend(["p10", "p50", "p90"].map(|p| format!("{} {p}", m.name())));
    }
    for s in &r.setups {
        for g in &s.monthly {
            let mut row = vec![Cell::text(&s.name), Cell::text(&g.label)];
            for m in &metrics {
                let x = g
                    .metrics
                    .iter()
                    .find(|x| x.metric == *m)
                    .map(|x| &x.summary);
                let unit = m.unit();
                row.extend([
                    Cell::number(x.and_then(|x| x.p10), unit),
                    Cell::number(x.and_then(|x| x.p50), unit),
                    Cell::number(x.and_then(|x| x.p90), unit),
                ]);
            }
            t.rows.push(row);
        }
    }
    let ws = book.add_worksheet();
    ws.set_name("Monthly")?;
    let mut widths = Widths::default();
    write_table(ws, 0, &t, f, &mut widths)?;
    widths.apply(ws)?;
    let Some(won) = metrics.iter().position(|m| *m == Metric::Won) else {
        return Ok(());
    };
    let won_name = style.metric(Metric::Won);
    let w = words(r.chart.language);
    let title = w.per_month.replace("{metric}", won_name);
    let mut c = chart(ChartType::Line, &title, w.month, won_name);
    // Setups may differ in horizon: each one's rows follow the one before.
    let mut first = 1u32;
    for (i, s) in r.setups.iter().enumerate() {
        let months = s.monthly.len() as u32;
        let last = first + months - 1;
        for (k, p) in ["p10", "p50", "p90"].iter().enumerate() {
            let col = 2 + (won * 3 + k) as u16;
            let mut line = ChartLine::new();
            line.set_color(colour(i))
                .set_width(if k == 1 { 2.25 } else { 1.0 });
            if k != 1 {
                line.set_dash_type(ChartLineDashType::Dash);
            }
            c.add_series()
                .set_name(&format!("{} {p}", s.name))
                .set_categories(("Monthly", first, 1, last, 1))
                .set_values(("Monthly", first, col, last, col))
                .set_format(&mut line);
        }
        first = last + 1;
    }
    ws.insert_chart(t.rows.len() as u32 + 2, 0, &c)?;
    Ok(())
}

/// Histograms of won deals per run and of the paired won uplift, as shares of
/// runs per bin (the bins of the PNG charts), with a column chart each.
fn distribution_sheet(
    book: &mut Workbook,
    r: &Results,
    all: &[SetupRuns],
    f: &Formats,
) -> Result<(), XlsxError> {
    let style = style_of(r);
    let ws = book.add_worksheet();
    ws.set_name("Distribution")?;
    let won: Vec<Vec<f64>> = all
        .iter()
        .map(|s| s.runs.iter().map(|x| x.get(Metric::Won)).collect())
        .collect();
    let won_name = style.metric(Metric::Won);
    let names: Vec<&str> = r.setups.iter().map(|s| s.name.as_str()).collect();
    let mut widths = Widths::default();
    let share = words(r.chart.language).share;
    let next = histogram_block(ws, 0, (won_name, share), &won, &names, true, f, &mut widths)?;
    if all.len() < 2 {
        return widths.apply(ws);
    }
    let ratios: Vec<Vec<f64>> = all[1..]
        .iter()
        .map(|s| {
            s.runs
                .iter()
                .zip(&all[0].runs)
                .filter(|(_, b)| b.get(Metric::Won) > 0.0)
                .map(|(a, b)| a.get(Metric::Won) / b.get(Metric::Won))
                .collect()
        })
        .collect();
    let title = format!("{won_name}: {} / {}", names[1..].join(", "), names[0]);
    histogram_block(
        ws,
        next + 2,
        (&title, share),
        &ratios,
        &names[1..],
        false,
        f,
        &mut widths,
    )?;
    widths.apply(ws)
}

/// One histogram: bin edges, a share of runs per setup and bin, and its chart.
#[allow(clippy::too_many_arguments)]
fn histogram_block(
    ws: &mut Worksheet,
    top: u32,
    (title, share): (&str, &str),
    values: &[Vec<f64>],
    names: &[&str],
    integer: bool,
    f: &Formats,
    widths: &mut Widths,
) -> Result<u32, XlsxError> {
    let bins = crate::charts::histogram_bins(values, integer);
    let mut t = Sheet::new(["bin", "from", "to"]);
    t.header.extend(names.iter().map(|n| n.to_string()));
    let unit = if integer { Unit::Count } else { Unit::Ratio };
    for (k, (from, to)) in bins.edges.iter().enumerate() {
        // Whole-number bins are centred on their values: 19.5..39.5 holds 20 to 39.
        let label = if integer {
            format!("{}–{}", from + 0.5, to - 0.5)
        } else {
            format!("×{from:.2}–{to:.2}")
        };
        let (lo, hi) = if integer {
            (from + 0.5, to - 0.5)
        } else {
            (*from, *to)
        };
        let mut row = vec![
            Cell::text(label),
            Cell::number(Some(lo), unit),
            Cell::number(Some(hi), unit),
        ];
        row.extend(
            bins.shares
                .iter()
                .map(|s| Cell::number(Some(s[k]), Unit::Rate)),
        );
        t.rows.push(row);
    }
    ws.write_string_with_format(top, 0, title, &f.bold)?;
    let end = write_table(ws, top + 1, &t, f, widths)?;
    let (first, last) = (top + 2, top + 1 + t.rows.len() as u32);
    let mut c = chart(ChartType::Column, title, "", share);
    c.y_axis().set_num_format("0%");
    for (i, name) in names.iter().enumerate() {
        let col = 3 + i as u16;
        c.add_series()
            .set_name(*name)
            .set_categories(("Distribution", first, 0, last, 0))
            .set_values(("Distribution", first, col, last, col))
            .set_gap(10)
            .set_format(
                ChartFormat::new().set_solid_fill(ChartSolidFill::new().set_color(colour(i))),
            );
    }
    ws.insert_chart(top + 1, 4 + names.len() as u16, &c)?;
    Ok(end.max(top + 22))
}

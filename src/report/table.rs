//! Plain-text tables for the terminal that stay aligned with Japanese text
//! (East Asian wide characters take two columns).

use unicode_width::UnicodeWidthStr;

/// Display width of a string in terminal columns.
pub fn width(s: &str) -> usize {
    UnicodeWidthStr::width(s)
}

/// A table: a header row, then sections and rows.
#[derive(Clone, Debug, Default)]
pub struct Table {
    header: Vec<String>,
    rows: Vec<Row>,
}

#[derive(Clone, Debug)]
enum Row {
    Section(String),
    Cells(Vec<String>),
}

impl Table {
    /// A table with these column headings (the first is the row-label column).
    pub fn new(header: Vec<String>) -> Table {
        Table {
            header,
            rows: Vec::new(),
        }
    }

    /// A section heading spanning the table.
    pub fn section(&mut self, title: &str) {
        self.rows.push(Row::Section(title.to_string()));
    }

    /// A row of cells: a label, then one value per column.
    pub fn row(&mut self, cells: Vec<String>) {
        self.rows.push(Row::Cells(cells));
    }

    /// Widths of the columns from their cells (headings wrap to fit).
    fn widths(&self, max_header: usize) -> Vec<usize> {
        let mut widths: Vec<usize> = self
            .header
            .iter()
            .map(|h| width(h).min(max_header))
            .collect();
        for row in &self.rows {
            if let Row::Cells(cells) = row {
                for (w, c) in widths.iter_mut().zip(cells) {
                    *w = (*w).max(width(c));
                }
            }
        }
        widths
    }

    /// Total width when rendered.
    pub fn total_width(&self) -> usize {
        let w = self.widths(24);
        w.iter().sum::<usize>() + 2 * w.len().saturating_sub(1)
    }

    /// Renders the table: labels left-aligned, values right-aligned, two spaces between columns.
    pub fn render(&self) -> String {
        let widths = self.widths(24);
        let wrapped: Vec<Vec<String>> = self
            .header
            .iter()
            .zip(&widths)
            .map(|(h, &w)| wrap(h, w))
            .collect();
        let lines = wrapped.iter().map(Vec::len).max().unwrap_or(0);
        let mut out = String::new();
        for line in 0..lines {
            // Headings sit on the bottom lines, so short ones line up with the rule.
            let cells: Vec<String> = wrapped
                .iter()
                .map(|parts| {
                    let offset = lines - parts.len();
                    if line >= offset {
                        parts[line - offset].clone()
                    } else {
                        String::new()
                    }
                })
                .collect();
            out.push_str(&line_of(&cells, &widths));
        }
        let total = widths.iter().sum::<usize>() + 2 * widths.len().saturating_sub(1);
        out.push_str(&"─".repeat(total));
        out.push('\n');
        for row in &self.rows {
            match row {
                Row::Section(title) => {
                    out.push_str(title);
                    out.push('\n');
                }
                Row::Cells(cells) => out.push_str(&line_of(cells, &widths)),
            }
        }
        out
    }
}

fn line_of(cells: &[String], widths: &[usize]) -> String {
    let mut line = String::new();
    for (i, (cell, &w)) in cells.iter().zip(widths).enumerate() {
        let pad = " ".repeat(w.saturating_sub(width(cell)));
        if i == 0 {
            line.push_str(cell);
            line.push_str(&pad);
        } else {
            line.push_str("  ");
            line.push_str(&pad);
            line.push_str(cell);
        }
    }
    line.truncate(line.trim_end().len());
    line.push('\n');
    line
}

/// Wraps text to `max` columns at spaces, breaking words (or wide text) where needed.
pub fn wrap(text: &str, max: usize) -> Vec<String> {
    let mut lines = vec![String::new()];
    for word in text.split(' ') {
        let current = lines.last_mut().expect("never empty");
        let sep = usize::from(!current.is_empty());
        if width(current) + sep + width(word) <= max {
            if sep == 1 {
                current.push(' ');
            }
            current.push_str(word);
            continue;
        }
        if !current.is_empty() {
            lines.push(String::new());
        }
        for ch in word.chars() {
            let current = lines.last_mut().expect("never empty");
            if width(current) + width(ch.encode_utf8(&mut [0; 4])) > max && !current.is_empty() {
                lines.push(String::new());
            }
            lines.last_mut().expect("never empty").push(ch);
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wide_characters_count_twice_and_columns_align() {
        assert_eq!(width("商談"), 4);
        let mut t = Table::new(vec!["".into(), "MA＋インサイドセールス".into(), "b".into()]);
        t.row(vec!["受注数".into(), "12".into(), "3".into()]);
        t.row(vec!["Won deals".into(), "1,234".into(), "45".into()]);
        let text = t.render();
        let rows: Vec<&str> = text
            .lines()
            .filter(|l| l.ends_with('3') || l.ends_with("45"))
            .collect();
        assert_eq!(rows.len(), 2);
        assert_eq!(width(rows[0]), width(rows[1]));
    }

    #[test]
    fn wrap_breaks_long_headings() {
        assert_eq!(
            wrap("Baseline: no MA, field sales", 12),
            vec!["Baseline: no", "MA, field", "sales"]
        );
        assert!(
            wrap("ＭＡとインサイドセールス", 8)
                .iter()
                .all(|l| width(l) <= 8)
        );
    }
}

//! PLACEHOLDER until the generator lands (helper is writing it).
/// Output format of generated files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum GenFormat {
    Csv,
    Parquet,
}
/// Options of `salesops generate`.
#[derive(Debug, Clone)]
pub struct GenerateOptions {
    pub out: std::path::PathBuf,
    pub scale: f64,
    pub seed: u64,
    pub format: GenFormat,
    pub end_date: chrono::NaiveDate,
}
/// Row counts written per table.
pub struct GenerateSummary {
    pub rows: Vec<(&'static str, u64)>,
}
/// Placeholder.
pub fn generate(_opts: &GenerateOptions) -> crate::Result<GenerateSummary> {
    Err(crate::Error::Usage("not yet".into()))
}

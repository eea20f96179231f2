use bizproc::BizprocProperties;

#[derive(BizprocProperties)]
struct Input {
    #[bizproc(rename = "dealId")]
    deal: i64,
    #[bizproc(rename = "DEALID")]
    other_deal: i64,
}

fn main() {}

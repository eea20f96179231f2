use bizproc::BizprocProperties;

#[derive(BizprocProperties)]
#[bizproc(rename_all = "kebab-case")]
struct Input {
    deal_id: i64,
}

fn main() {}

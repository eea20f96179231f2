use bizproc::BizprocProperties;

#[derive(BizprocProperties)]
#[bizproc(rename_all = "Camel")]
struct Input {
    deal_id: i64,
}

fn main() {}

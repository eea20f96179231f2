use bizproc::BizprocProperties;

#[derive(BizprocProperties)]
struct Input {
    #[bizproc(rename = "properties")]
    props: String,
}

fn main() {}

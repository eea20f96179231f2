use bizproc::{BizprocProperties, BizprocReturn};

#[derive(BizprocProperties)]
struct ScoreInput {
    score: i64,
}

#[derive(BizprocReturn)]
#[bizproc(code = "score", name = "Score", input = ScoreInput)]
struct Score {
    #[bizproc(rename = "SCORE")]
    result: i64,
}

fn main() {}

//! Goals progress (`docs/analyses.md`, "Goals progress"): each yearly goal (年度目标) of a region
//! against the projects that count toward it.

use crate::model::{Dataset, Goal, Project, ProjectCategory, ProjectStatus};
use serde::Serialize;
use utoipa::ToSchema;

/// One category target of a goal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
pub struct GoalLine {
    pub category: ProjectCategory,
    /// The minimum the goal sets.
    pub target: u32,
    /// Projects of the goal's year and region, of this category, that count toward goals
    /// (neither `proposed` nor `cancelled`).
    pub actual: u32,
    /// `actual >= target`.
    pub met: bool,
}

/// The international share of a goal: of the completed projects of its year and region, how
/// many reached `international_leading` or `international_advanced`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, ToSchema)]
pub struct ShareLine {
    /// The minimum share the goal sets (0 to 1); `null`: no target.
    pub target: Option<f64>,
    /// Completed projects of the goal's year and region.
    pub completed: u32,
    /// Of them, at international level.
    pub international: u32,
    /// `international / completed`; `null` when none is completed.
    pub actual: Option<f64>,
    /// True without a target; else `actual >= target`, an absent actual counting as 0 (so a
    /// target of 0 is met even with nothing completed).
    pub met: bool,
}

/// How many projects of one category count toward the goal's year and region.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
pub struct CategoryCount {
    pub category: ProjectCategory,
    pub count: u32,
}

/// One goal's progress.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct GoalProgress {
    pub id: String,
    /// The goal's region prefix.
    pub region: String,
    /// The name of that region's record (`XX0000` for a province prefix, `XXXX00` for a city,
    /// the code itself for a county), when the dataset has one.
    pub region_name: Option<String>,
    pub year: u16,
    /// One line per category the goal sets a target for, in category order.
    pub targets: Vec<GoalLine>,
    pub international_share: ShareLine,
    /// Every category's count, targets or not, in category order.
    pub totals: Vec<CategoryCount>,
    /// Every line of `targets` and `international_share` met.
    pub met: bool,
}

/// The progress of the goals that match a filter.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct GoalsProgress {
    /// The region filter as given.
    pub region: Option<String>,
    /// The year filter as given.
    pub year: Option<u16>,
    /// Sorted by year, then region, then id.
    pub goals: Vec<GoalProgress>,
}

/// The progress of every goal of `d` matching the filters.
///
/// A project counts toward a goal when its `year` is the goal's year and its lead
/// organization's region starts with the goal's region ([`Goal::covers`]): toward the targets and
/// totals when it is neither `proposed` nor `cancelled`, toward the international share when it
/// is `completed`.
///
/// # Arguments
/// - `d`: the dataset (goals, projects, their leads, region names).
/// - `region`: keep goals whose region and it are prefixes of one another
///   ([`region::overlap`](crate::model::region::overlap): the filter `32` keeps the goals of 32,
///   3205 and 320583; `3205` those of 32, 3205 and 320583); `None`: every goal.
/// - `year`: keep goals of that year; `None`: every year.
///
/// # Returns
/// One [`GoalProgress`] per goal kept.
///
/// # Complexity
/// O(J log F) to find the J projects' lead regions among F organizations, then O(G·J) for the
/// G goals kept, plus O(G log G) to sort them.
pub fn goals_progress(d: &Dataset, region: Option<&str>, year: Option<u16>) -> GoalsProgress {
    let goals: Vec<&Goal> = d
        .goals
        .values()
        .filter(|g| region.is_none_or(|r| crate::model::region::overlap(&g.region, r)))
        .filter(|g| year.is_none_or(|y| g.year == y))
        .collect();
    // Each project with its lead, looked up once.
    let projects: Vec<(&Project, Option<&crate::model::Organization>)> = if goals.is_empty() {
        Vec::new()
    } else {
        d.projects
            .values()
            .map(|j| (j, d.organizations.get(&j.lead)))
            .collect()
    };
    let mut out: Vec<GoalProgress> = goals
        .into_iter()
        .map(|g| progress(d, g, &projects))
        .collect();
    out.sort_by(|a, b| {
        a.year
            .cmp(&b.year)
            .then_with(|| a.region.cmp(&b.region))
            .then_with(|| a.id.cmp(&b.id))
    });
    GoalsProgress {
        region: region.map(str::to_string),
        year,
        goals: out,
    }
}

fn progress(
    d: &Dataset,
    g: &Goal,
    projects: &[(&Project, Option<&crate::model::Organization>)],
) -> GoalProgress {
    let mut counts = [0u32; ProjectCategory::ALL.len()];
    let (mut completed, mut international) = (0u32, 0u32);
    for (j, lead) in projects {
        if !g.covers(j, *lead) {
            continue;
        }
        if j.counts_toward_goals() {
            counts[slot(j.category)] += 1;
        }
        if j.status == ProjectStatus::Completed {
            completed += 1;
            if j.level.is_some_and(|l| l.is_international()) {
                international += 1;
            }
        }
    }
    let targets: Vec<GoalLine> = ProjectCategory::ALL
        .into_iter()
        .filter_map(|c| {
            let target = *g.targets.get(&c)?;
            let actual = counts[slot(c)];
            Some(GoalLine {
                category: c,
                target,
                actual,
                met: actual >= target,
            })
        })
        .collect();
    let actual = (completed > 0).then(|| international as f64 / completed as f64);
    let share = ShareLine {
        target: g.international_share,
        completed,
        international,
        actual,
        met: g
            .international_share
            .is_none_or(|t| actual.unwrap_or(0.0) >= t),
    };
    let name_code = match g.region.len() {
        2 => format!("{}0000", g.region),
        4 => format!("{}00", g.region),
        _ => g.region.clone(),
    };
    GoalProgress {
        id: g.id.clone(),
        region: g.region.clone(),
        region_name: d.region_name(&name_code).map(str::to_string),
        year: g.year,
        met: share.met && targets.iter().all(|l| l.met),
        targets,
        international_share: share,
        totals: ProjectCategory::ALL
            .into_iter()
            .map(|c| CategoryCount {
                category: c,
                count: counts[slot(c)],
            })
            .collect(),
    }
}

/// The position of a category in [`ProjectCategory::ALL`].
fn slot(c: ProjectCategory) -> usize {
    ProjectCategory::ALL
        .iter()
        .position(|x| *x == c)
        .expect("every category is in ALL")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::eligibility::tests::firm;
    use crate::analysis::work::untackled::tests::project;
    use crate::model::{ProjectLevel, Region, Role};
    use std::collections::BTreeMap;

    fn goal(
        id: &str,
        region: &str,
        year: u16,
        targets: &[(&str, u32)],
        share: Option<f64>,
    ) -> Goal {
        Goal {
            id: id.into(),
            region: region.into(),
            year,
            targets: targets
                .iter()
                .map(|(c, n)| (ProjectCategory::parse(c).unwrap(), *n))
                .collect::<BTreeMap<_, _>>(),
            international_share: share,
        }
    }

    /// Leads: s1, s2 in 苏州 (3205), n1 in 南京 (3201), h1 in 杭州 (3301).
    fn dataset() -> Dataset {
        let mut d = Dataset::new();
        for (id, region) in [
            ("s1", "320583"),
            ("s2", "320506"),
            ("n1", "320102"),
            ("h1", "330102"),
        ] {
            d.organizations
                .insert(id.into(), firm(id, Some(region), "c", "s", Role::Member));
        }
        for (code, name) in [("320000", "江苏省"), ("320500", "苏州市")] {
            d.regions.insert(
                code.into(),
                Region {
                    code: code.into(),
                    name: name.into(),
                },
            );
        }
        use ProjectStatus::*;
        let mut add = |id: &str, cat: &str, status: ProjectStatus, lead: &str, year: u16, level| {
            let mut j = project(id, cat, status, &[]);
            j.lead = lead.into();
            j.year = year;
            j.level = level;
            d.projects.insert(j.id.clone(), j);
        };
        let intl = Some(ProjectLevel::InternationalAdvanced);
        let domestic = Some(ProjectLevel::DomesticLeading);
        add("j1", "kp", Approved, "s1", 2025, None);
        add("j2", "kp", InProgress, "s2", 2025, None);
        add("j3", "kp", Completed, "s1", 2025, intl);
        add("j4", "kp", Completed, "n1", 2025, domestic);
        add(
            "j5",
            "ct",
            Completed,
            "s2",
            2025,
            Some(ProjectLevel::InternationalLeading),
        );
        // Not counted: proposed, cancelled, another year, led from another province.
        add("j6", "kp", Proposed, "s1", 2025, None);
        add("j7", "kp", Cancelled, "s1", 2025, None);
        add("j8", "kp", Approved, "s1", 2024, None);
        add("j9", "cc", Approved, "h1", 2025, None);
        d
    }

    fn line(category: &str, target: u32, actual: u32, met: bool) -> GoalLine {
        GoalLine {
            category: ProjectCategory::parse(category).unwrap(),
            target,
            actual,
            met,
        }
    }

    fn totals(cc: u32, ct: u32, kp: u32) -> Vec<CategoryCount> {
        [cc, ct, kp]
            .into_iter()
            .zip(ProjectCategory::ALL)
            .map(|(count, category)| CategoryCount { category, count })
            .collect()
    }

    #[test]
    fn goals_count_the_projects_of_their_year_led_in_their_region() {
        let mut d = dataset();
        for g in [
            // 江苏 2025: key products 4 of 4 (j1..j4), common technology 1 of 2; completed j3
            // (international), j4 (domestic), j5 (international): 2/3 ≥ 0.6.
            goal(
                "g-js",
                "32",
                2025,
                &[("key_product", 4), ("common_technology", 2)],
                Some(0.6),
            ),
            // 苏州 2025: key products 3 (j1, j2, j3), completed j3, j5: share 1; no
            // chain-collaboration project (j9 is led from 杭州).
            goal(
                "g-sz",
                "3205",
                2025,
                &[("key_product", 3), ("chain_collaboration", 1)],
                Some(0.9),
            ),
            // 南京 2024: nothing completed: the share is null and a target of 0.5 is not met.
            goal("g-nj", "3201", 2024, &[], Some(0.5)),
            // 浙江 2025: one chain-collaboration project (j9); no share target.
            goal("g-zj", "33", 2025, &[("chain_collaboration", 1)], None),
        ] {
            d.goals.insert(g.id.clone(), g);
        }
        let got = goals_progress(&d, None, None);
        let expected = GoalsProgress {
            region: None,
            year: None,
            goals: vec![
                GoalProgress {
                    id: "g-nj".into(),
                    region: "3201".into(),
                    // Not named by the dataset: the GB/T 2260 table names it.
                    region_name: Some("南京市".into()),
                    year: 2024,
                    targets: vec![],
                    international_share: ShareLine {
                        target: Some(0.5),
                        completed: 0,
                        international: 0,
                        actual: None,
                        met: false,
                    },
                    totals: totals(0, 0, 0),
                    met: false,
                },
                GoalProgress {
                    id: "g-js".into(),
                    region: "32".into(),
                    region_name: Some("江苏省".into()),
                    year: 2025,
                    targets: vec![
                        line("common_technology", 2, 1, false),
                        line("key_product", 4, 4, true),
                    ],
                    international_share: ShareLine {
                        target: Some(0.6),
                        completed: 3,
                        international: 2,
                        actual: Some(2.0 / 3.0),
                        met: true,
                    },
                    totals: totals(0, 1, 4),
                    met: false,
                },
                GoalProgress {
                    id: "g-sz".into(),
                    region: "3205".into(),
                    region_name: Some("苏州市".into()),
                    year: 2025,
                    targets: vec![
                        line("chain_collaboration", 1, 0, false),
                        line("key_product", 3, 3, true),
                    ],
                    international_share: ShareLine {
                        target: Some(0.9),
                        completed: 2,
                        international: 2,
                        actual: Some(1.0),
                        met: true,
                    },
                    totals: totals(0, 1, 3),
                    met: false,
                },
                GoalProgress {
                    id: "g-zj".into(),
                    region: "33".into(),
                    region_name: Some("浙江省".into()),
                    year: 2025,
                    targets: vec![line("chain_collaboration", 1, 1, true)],
                    international_share: ShareLine {
                        target: None,
                        completed: 0,
                        international: 0,
                        actual: None,
                        met: true,
                    },
                    totals: totals(1, 0, 0),
                    met: true,
                },
            ],
        };
        assert_eq!(got, expected);

        // Filters: the region either way, and the year.
        let ids = |p: GoalsProgress| p.goals.into_iter().map(|g| g.id).collect::<Vec<_>>();
        assert_eq!(
            ids(goals_progress(&d, Some("32"), None)),
            ["g-nj", "g-js", "g-sz"]
        );
        assert_eq!(
            ids(goals_progress(&d, Some("320583"), None)),
            ["g-js", "g-sz"]
        );
        assert_eq!(
            ids(goals_progress(&d, Some("32"), Some(2025))),
            ["g-js", "g-sz"]
        );
        assert!(ids(goals_progress(&d, Some("44"), None)).is_empty());
        let filtered = goals_progress(&d, Some("3205"), Some(2025));
        assert_eq!(
            (filtered.region.as_deref(), filtered.year),
            (Some("3205"), Some(2025))
        );

        // A share target of 0 is met with nothing completed.
        d.goals
            .insert("g-0".into(), goal("g-0", "3201", 2024, &[], Some(0.0)));
        let zero = goals_progress(&d, None, Some(2024));
        let g0 = zero.goals.iter().find(|g| g.id == "g-0").unwrap();
        assert!(g0.international_share.met && g0.met);
    }
}

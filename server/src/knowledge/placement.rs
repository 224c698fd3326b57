//! Valid `locationHint` and `jurisdiction` values (fact sheet §4), with
//! short descriptions in our own words.

use super::PlacementValue;

/// Values of `DurableObjectLocationHint`, accepted by `namespace.get()` /
/// `getByName()` as `{ locationHint }`. A hint is best effort and only counts
/// when the object is first created; objects never move afterwards.
pub static LOCATION_HINTS: &[PlacementValue] = &[
    PlacementValue {
        value: "wnam",
        description: "Western North America.",
    },
    PlacementValue {
        value: "enam",
        description: "Eastern North America.",
    },
    PlacementValue {
        value: "sam",
        description: "South America. Durable Objects are not actually hosted there; the object is created in a nearby region (for example enam) instead.",
    },
    PlacementValue {
        value: "weur",
        description: "Western Europe.",
    },
    PlacementValue {
        value: "eeur",
        description: "Eastern Europe.",
    },
    PlacementValue {
        value: "apac",
        description: "Asia-Pacific.",
    },
    PlacementValue {
        value: "apac-ne",
        description: "Northeast Asia-Pacific. Added on 2026-06-19.",
    },
    PlacementValue {
        value: "apac-se",
        description: "Southeast Asia-Pacific. Added on 2026-06-19.",
    },
    PlacementValue {
        value: "oc",
        description: "Oceania.",
    },
    PlacementValue {
        value: "afr",
        description: "Africa. Durable Objects are not hosted there; the object is created in a nearby region instead.",
    },
    PlacementValue {
        value: "me",
        description: "Middle East. Durable Objects are not hosted there; the object is created in a nearby region instead.",
    },
];

/// Values of `DurableObjectJurisdiction`, accepted by
/// `namespace.jurisdiction(j)` and `newUniqueId({ jurisdiction })`. Unlike a
/// location hint, a jurisdiction is a hard guarantee about where the object
/// runs and stores data.
pub static JURISDICTIONS: &[PlacementValue] = &[
    PlacementValue {
        value: "eu",
        description: "European Union: the object runs and keeps its data inside the EU.",
    },
    PlacementValue {
        value: "us",
        description: "United States: the object runs and keeps its data inside the US. Added on 2026-06-26.",
    },
    PlacementValue {
        value: "fedramp",
        description: "FedRAMP-Moderate compliant data centers only.",
    },
    PlacementValue {
        value: "fedramp-high",
        description: "FedRAMP-High compliant data centers. Accepted by workers-types and the runtime, but the data-location docs do not list it (as of 2026-06-26).",
    },
];

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    fn check(values: &[PlacementValue]) {
        let mut seen = HashSet::new();
        for v in values {
            assert!(!v.value.is_empty());
            assert!(!v.description.trim().is_empty(), "{}", v.value);
            assert!(seen.insert(v.value), "{} listed twice", v.value);
            assert!(
                v.value.chars().all(|c| c.is_ascii_lowercase() || c == '-'),
                "{} is not a plain lowercase value",
                v.value
            );
        }
    }

    #[test]
    fn location_hints_are_the_eleven_documented_values() {
        check(LOCATION_HINTS);
        let mut got: Vec<_> = LOCATION_HINTS.iter().map(|v| v.value).collect();
        got.sort_unstable();
        let mut want = vec![
            "wnam", "enam", "sam", "weur", "eeur", "apac", "apac-ne", "apac-se", "oc", "afr", "me",
        ];
        want.sort_unstable();
        assert_eq!(got.len(), 11);
        assert_eq!(got, want);
    }

    #[test]
    fn hints_without_placement_say_so() {
        for hint in ["sam", "afr", "me"] {
            let v = LOCATION_HINTS.iter().find(|v| v.value == hint).unwrap();
            assert!(v.description.contains("not"), "{hint}: {}", v.description);
            assert!(v.description.contains("nearby region"), "{hint}");
        }
    }

    #[test]
    fn jurisdictions_include_fedramp_high_with_its_caveat() {
        check(JURISDICTIONS);
        let got: Vec<_> = JURISDICTIONS.iter().map(|v| v.value).collect();
        assert_eq!(got, ["eu", "us", "fedramp", "fedramp-high"]);
        let high = JURISDICTIONS
            .iter()
            .find(|v| v.value == "fedramp-high")
            .unwrap();
        assert!(high.description.contains("docs"));
        assert!(high.description.contains("types"));
    }
}

# Sourced by the docs scripts beside it: moves to the repository root and sets jar, java and mvn (JAVA and MVN
# override the last two); builds ipc-bench/target/benchmarks.jar only if it is missing.
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
jar="ipc-bench/target/benchmarks.jar"
java="${JAVA:-java}"
mvn="${MVN:-mvn}"

if [[ ! -f "$jar" ]]; then
    echo "$jar is missing: building it" >&2
    $mvn -q -B -DskipTests -pl ipc-bench -am package
fi

# Sourced by the docs scripts beside it: moves to the repository root and sets jar, java and mvn (JAVA and MVN
# override the last two); builds ipc-bench/target/benchmarks.jar only if it is missing.
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
jar="ipc-bench/target/benchmarks.jar"
java="${JAVA:-java}"
mvn="${MVN:-mvn}"

# The host's load average over 1, 5 and 15 minutes, or "unknown".
load_average() { cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown; }

# Sets what the generated docs say about the host: jvm (the java -version line), cpu (its model) and cpus.
host_facts() {
    jvm="$("$java" -version 2>&1 | sed -n 2p)"
    cpu="$(grep -m1 '^model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | sed 's/^ *//' || true)"
    cpus="$(grep -c '^processor' /proc/cpuinfo 2>/dev/null || nproc)"
}

# Prints the start of a generated doc's "how it was run": the command in a code block, then the JVM line
# (after host_facts).
how_it_ran() {
    echo '```'
    echo "$1"
    echo '```'
    echo
    echo "- JVM: $jvm"
}

if [[ ! -f "$jar" ]]; then
    echo "$jar is missing: building it" >&2
    $mvn -q -B -DskipTests -pl ipc-bench -am package
fi

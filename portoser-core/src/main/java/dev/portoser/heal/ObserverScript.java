package dev.portoser.heal;

import dev.portoser.deploy.OwnProcesses;

/**
 * The one script the {@link Observer} runs on a machine. Registry values reach it only as positional arguments.
 * It changes nothing: it reads the process table, {@code df}, the engine, the service manager and the log, and
 * prints one {@code KEY<TAB>VALUE} line per fact (fields within a value separated by {@code |}), then
 * {@code --log--} and the last lines of the log.
 */
final class ObserverScript {
    private ObserverScript() {
    }

    /**
     * Ours and the deployer's functions: {@code args PID} (its command line, cut short) and {@code runnerof PID}
     * (the service whose Portoser session leader PID is, if it is one). Sets {@code base}.
     */
    static final String FUNCTIONS = "base=\"$HOME/.portoser\"\n" + OwnProcesses.prelude() + """
            args() { ps -o args= -p "$1" 2>/dev/null | cut -c1-200; }
            # The service whose Portoser session leader process $1 is ("sh BASE/run/portoser-run BASE NAME ..."), if any.
            runnerof() { (set -f; set -- $(ps -o args= -p "$1" 2>/dev/null)
              [ "$1" = sh ] && [ "$2" = "$base/run/portoser-run" ] && [ "$3" = "$base" ] && printf '%s' "$4"); }
            """;

    /** Args: name, type, path, port, log, compose file, command, unit, project, log lines. */
    static final String TEXT = FUNCTIONS + """
            name=$1 type=$2 dir=$3 port=$4 log=$5 compose=$6 cmd=$7 unit=$8 project=$9 lines=${10}
            one() { printf '%s\\t%s\\n' "$1" "$(printf '%s' "$2" | tr '\\t\\n\\r' '   ' | cut -c1-600)"; }
            case "$log" in /*) ;; *) log="$HOME/$log" ;; esac
            one reach ok
            own=
            if [ "$type" = local ]; then
              pidf="$base/run/$name.pid"
              instance "$name"; own=$pid
              one instance "$state|$pid|$code|$detail"
              if [ -f "$pidf" ]; then
                fp=$(head -c 32 "$pidf" | tr -d ' \\n')
                if isproc "$fp"; then
                  a=no o=no c=
                  if alive "$fp"; then a=yes; if [ "$fp" = "$own" ]; then o=yes; else c=$(args "$fp"); fi; fi
                  one pidfile "$pidf|$fp|$a|$o|$c"
                else one pidfile "$pidf|||no|"; fi
              else one pidfile "$pidf|absent"; fi
            fi
            if [ -n "$port" ]; then
              holders=$(listeners "$port")
              if [ -z "$holders" ]; then
                if listening "$port"; then one port "$port|UNSEEN|||"; else one port "$port|FREE|||"; fi
              fi
              for h in $holders; do
                if [ -n "$own" ] && ours "$h" "$own"; then one port "$port|OURS|$h|$name|$(args "$h")"; continue; fi
                sid=$(ps -o sid= -p "$h" 2>/dev/null | tr -d ' ')
                svc=; if isproc "$sid"; then svc=$(runnerof "$sid"); fi
                if [ -z "$svc" ]; then one port "$port|FOREIGN|$h||$(args "$h")"
                elif [ "$svc" = "$name" ]; then one port "$port|OURS_STALE|$h|$svc|$(args "$h")"
                else one port "$port|OTHER_SERVICE|$h|$svc|$(args "$h")"; fi
              done
            fi
            seen=
            for d in "$dir" "$(dirname "$log")" "$base"; do
              e=$d; while [ ! -e "$e" ] && [ "$e" != / ]; do e=$(dirname "$e"); done
              df -Pk "$e" 2>/dev/null | tail -n 1 | { read -r fs size used avail cap mnt || exit 0
                case " $seen " in *" $mnt "*) ;; *) printf 'disk\\t%s|%s|%s|%s\\n' "$d" "$mnt" "${cap%%%}" "$avail" ;; esac; }
              seen="$seen $(df -Pk "$e" 2>/dev/null | tail -n 1 | awk '{print $6}')"
            done
            if [ -e "$dir" ]; then
              isd=no r=no w=no x=no
              [ -d "$dir" ] && isd=yes; [ -r "$dir" ] && r=yes; [ -w "$dir" ] && w=yes; [ -x "$dir" ] && x=yes
              one path "$dir|yes|$isd|$r|$w|$x|$(ls -ld "$dir" 2>/dev/null | awk '{print $1" "$3":"$4}')"
            else one path "$dir|no|no|no|no|no|"; fi
            if [ -n "$cmd" ]; then
              exe=${cmd#exec }; exe=${exe%%[ \t]*}
              case "$exe" in
                ''|*[!A-Za-z0-9_./+-]*) ;;
                *) envf="$base/env/$name.env"
                   where=$(cd "$dir" 2>/dev/null && (set -a; [ -f "$envf" ] && . "$envf"; command -v -- "$exe") 2>/dev/null)
                   if [ -n "$where" ]; then one exe "$exe|yes|$where"; else one exe "$exe|no|"; fi ;;
              esac
            fi
            if [ "$type" = docker ]; then
              case "$compose" in /*) ;; *) compose="$dir/$compose" ;; esac
              if [ -f "$compose" ]; then one compose "$compose|yes"; else one compose "$compose|no"; fi
              if ! command -v docker >/dev/null 2>&1; then one docker "ABSENT|"
              elif v=$(docker version --format '{{.Server.Version}}' 2>&1); then
                one docker "UP|$v"
                first=
                for id in $(docker ps -aq --no-trunc --filter "label=com.docker.compose.project=$project" 2>/dev/null); do
                  [ -n "$first" ] || first=$id
                  one container "$(docker inspect -f '{{.Name}}|{{.State.Status}}|{{.State.ExitCode}}|{{.State.OOMKilled}}|{{.RestartCount}}' "$id" 2>/dev/null)"
                done
                if [ -n "$first" ]; then echo "--log--"; docker logs --tail "$lines" "$first" 2>&1; exit 0; fi
              else one docker "DOWN|$(printf '%s' "$v" | tail -n 1)"; fi
            fi
            if [ "$type" = native ] && command -v systemctl >/dev/null 2>&1; then
              if [ "$(id -u)" = 0 ]; then sc=systemctl; else sc="systemctl --user"; fi
              p=$($sc show -p ActiveState -p SubState -p Result -p ExecMainStatus "$unit" 2>/dev/null | tr '\\n' ';')
              one unit "$unit|$p"
              echo "--log--"; journalctl $( [ "$sc" = systemctl ] || echo --user ) -u "$unit" -n "$lines" --no-pager -q 2>/dev/null
              exit 0
            fi
            echo "--log--"
            tail -n "$lines" "$log" 2>/dev/null
            exit 0
            """;
}

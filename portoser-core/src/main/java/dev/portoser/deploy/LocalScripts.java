package dev.portoser.deploy;

/**
 * The shell scripts {@link LocalProcessDeployer} runs on a machine. Registry values only ever reach them as
 * positional arguments or on standard input, never spliced into the text. They refuse to write through a symbolic
 * link under {@code ~/.portoser}, and they signal a PID only when it is an integer greater than 1 that names the
 * process they started (its recorded start time matches).
 */
final class LocalScripts {
    private LocalScripts() {
    }

    /**
     * Functions every script shares. Expects {@code base} (the state directory) to be set. Where {@code /proc} is
     * there, process facts are read from it with shell builtins: each external program a script starts costs
     * milliseconds, and a deploy runs these scripts many times at once.
     */
    static final String PRELUDE = """
            # Sets _st to the fields of /proc/$1/stat after the command name (state ppid pgrp session ...), or fails.
            procstat() { _st=; [ -r "/proc/$1/stat" ] && IFS= read -r _st < "/proc/$1/stat" 2>/dev/null \
              && _st=${_st##*) } && [ -n "$_st" ]; }
            # A process's start time: clock ticks since boot on Linux, else ps's start time (1 s).
            starttime() { if procstat "$1"; then set -- $_st; echo "${20}"; \
            else ps -o lstart= -p "$1" 2>/dev/null; fi; }
            # A zombie answers kill -0 but is dead (where PID 1 does not reap orphans, it stays so forever).
            alive() { kill -0 "$1" 2>/dev/null || return 1
              if procstat "$1"; then [ "${_st%% *}" != Z ]; else [ "$(ps -o stat= -p "$1" 2>/dev/null | cut -c1)" != Z ]; fi; }
            # The first line of a regular file, in $_l (empty when there is none): no program started.
            line1() { _l=; [ -f "$1" ] && { IFS= read -r _l < "$1" || [ -n "$_l" ]; } 2>/dev/null; }
            # Only a decimal integer greater than 1 may ever be signalled: never -1, 0 or 1.
            isproc() { case $1 in ''|*[!0-9]*) return 1 ;; esac; [ "${#1}" -le 10 ] && [ "$1" -gt 1 ]; }
            nolink() { for f do if [ -L "$f" ]; then echo "refusing to use $f: it is a symbolic link" >&2; exit 3; fi; done; }
            # Replaces a file by renaming a fresh one over it, so a planted symlink is never written through.
            put() { nolink "$2"; case $2 in */*) _d=${2%/*} ;; *) _d=. ;; esac
              t=$(mktemp "$_d/.new.XXXXXX") && printf '%s\\n' "$1" > "$t" && mv -f "$t" "$2"; }
            printable() { head -c 40 "$1" 2>/dev/null | tr -c '[:alnum:] ._:/-' '?'; }
            # Sets state (running, stopped, failed), pid, code and detail for the service named $1.
            instance() {
              pidf="$base/run/$1.pid"; exitf="$base/run/$1.exit"; state=stopped pid= code= detail="not started"
              line1 "$pidf.start"; rec=$(printf '%.64s' "$_l"); rpid=${rec%% *}; rst=${rec#* }
              if [ -f "$pidf" ]; then
                line1 "$pidf"; pid=$(printf '%.32s' "$_l"); pid=${pid#"${pid%%[! ]*}"}; pid=${pid%"${pid##*[! ]}"}
                if ! isproc "$pid"; then
                  detail="the PID file $pidf holds '$(printable "$pidf")', not a process id"
                  pid=$rpid
                fi
              elif [ -n "$rec" ]; then
                pid=$rpid
              fi
              if isproc "$pid" && [ "$pid" = "$rpid" ] && alive "$pid" && [ "$(starttime "$pid")" = "$rst" ]; then
                state=running detail="process $pid runs"; return 0
              fi
              if [ -f "$exitf" ]; then
                code=$(head -c 8 "$exitf" | tr -cd '0-9'); state=failed detail="it exited with status $code"
              elif isproc "$pid" && alive "$pid"; then
                state=failed detail="process $pid of $pidf is not the one Portoser started (its start time differs)"
              elif [ -n "$pid" ] || [ -f "$pidf" ]; then
                state=failed
                isproc "$pid" && detail="process $pid is gone"
              fi
              pid=
            }
            # The PIDs listening on TCP port $1, one per line (empty when none, or when they cannot be seen).
            listeners() {
              if command -v ss >/dev/null 2>&1; then
                ss -Hltnp "sport = :$1" 2>/dev/null | while IFS= read -r _w; do
                  while case $_w in *pid=*) ;; *) false ;; esac; do _w=${_w#*pid=}; echo "${_w%%[!0-9]*}"; done
                done
              elif command -v lsof >/dev/null 2>&1; then
                lsof -nP -iTCP:"$1" -sTCP:LISTEN -t 2>/dev/null | sort -u
              fi
            }
            listening() {
              if command -v ss >/dev/null 2>&1; then [ -n "$(ss -Hltn "sport = :$1" 2>/dev/null)" ];
              elif command -v lsof >/dev/null 2>&1; then [ -n "$(lsof -nP -iTCP:"$1" -sTCP:LISTEN -t 2>/dev/null)" ];
              else return 1; fi
            }
            describe() { echo "PID $1 ($(ps -o args= -p "$1" 2>/dev/null | cut -c1-120))"; }
            # Whether process $1 belongs to the instance whose session leader is $2.
            ours() { if procstat "$1"; then set -- "$2" $_st; [ "$4" = "$1" ] || [ "$5" = "$1" ]; return; fi
              set -- "$1" "$2" "$(ps -o sid=,pgid= -p "$1" 2>/dev/null)"; case " $3 " in *" $2 "*) return 0 ;; esac; return 1; }
            # Whether any live (not zombie) process is left in process group $1.
            groupalive() { ps -eo pgid=,stat= 2>/dev/null | awk -v g="$1" '$1 == g && $2 !~ /^Z/ { f = 1 } END { exit !f }'; }
            stopit() { # pid grace-in-50-ms-steps; the pid is a validated leader of our own session
              if [ "$(ps -o pgid= -p "$1" 2>/dev/null | tr -d ' ')" = "$1" ]; then
                kill -s TERM -- "-$1" 2>/dev/null || kill -s TERM "$1" 2>/dev/null
                left() { groupalive "$1"; }
              else
                kill -s TERM "$1" 2>/dev/null
                left() { alive "$1"; }
              fi
              i=0
              # Wait for the whole group, not just its leader: the service may take a moment longer to exit.
              while left "$1" && [ "$i" -lt "$2" ]; do sleep 0.05; i=$((i + 1)); done
              if left "$1"; then kill -s KILL -- "-$1" 2>/dev/null || kill -s KILL "$1" 2>/dev/null; echo killed; else echo stopped; fi
            }
            """;

    /** Prints {@code STATE|PID|CONFIG|CODE|DETAIL}. Args: name. */
    static final String STATUS = "base=\"$HOME/.portoser\"\n" + PRELUDE + """
            instance "$1"
            printf '%s|%s|%s|%s|%s\\n' "$state" "$pid" "$(line1 "$pidf.config"; printf '%.64s' "$_l")" "$code" "$detail"
            """;

    /** Stops the instance (only our own), then forgets it. Args: name, grace in 50 ms steps. */
    static final String STOP = "base=\"$HOME/.portoser\"\n" + PRELUDE + """
            instance "$1"
            if [ "$state" = running ]; then stopit "$pid" "$2"; else echo "$detail"; fi
            nolink "$pidf" "$pidf.start" "$pidf.config" "$exitf"
            rm -f "$pidf" "$pidf.start" "$pidf.config" "$exitf"
            """;

    /**
     * Runs in the new session as its leader (from {@code ~/.portoser/run/portoser-run}, so {@code ps} shows a short line): records itself, tells the deploy script its PID through a FIFO (so
     * nothing polls), then runs the command and records its exit status. Args: base, name, config, fifo, user env
     * file, env file, command.
     */
    static final String WRAPPER = """
            base=$1 name=$2 config=$3 fifo=$4 userenv=$5 envf=$6 cmd=$7
            PORTOSER_SERVICE=$name; export PORTOSER_SERVICE
            """ + PRELUDE + """
            pidf="$base/run/$name.pid"
            if put "$$" "$pidf" && put "$$ $(starttime $$)" "$pidf.start" && put "$config" "$pidf.config"; then
              echo "$$" > "$fifo"
            else
              echo "cannot record the process of $name under $base/run" >&2; echo failed > "$fifo"; exit 1
            fi
            set -a
            if [ -n "$userenv" ] && [ -f "$userenv" ]; then . "$userenv"; fi
            . "$envf"
            set +a
            sh -c "$cmd"
            code=$?
            put "$code" "$base/run/$name.exit"
            exit "$code"
            """;

    /**
     * Deploys or starts in one round trip: checks what runs, stops it when its configuration changed, writes the
     * env file from standard input, checks the path, the executable and the port, and starts the command in a new
     * session. Prints {@code unchanged|started|restarted PID}, and after {@code unchanged PID} the word {@code listens}
     * when that instance is the one listening on its port. Args: mode (deploy or start), name, path, command,
     * log, config digest, max log bytes, user env file, grace in 50 ms steps, port (or empty), wrapper script.
     */
    static final String LAUNCH = """
            set -u
            umask 077
            mode=$1 name=$2 dir=$3 cmd=$4 log=$5 config=$6 maxlog=$7 userenv=$8 grace=$9 port=${10} wrapper=${11}
            base="$HOME/.portoser"
            """ + PRELUDE + """
            nolink "$base" "$base/run" "$base/env" "$base/logs"
            [ -d "$base/run" ] && [ -d "$base/env" ] && [ -d "$base/logs" ] || mkdir -p "$base/run" "$base/env" "$base/logs"
            nolink "$base" "$base/run" "$base/env" "$base/logs"
            instance "$name"
            was=started
            if [ "$state" = running ]; then
              if [ "$mode" = start ] || [ "$(line1 "$pidf.config"; printf '%.64s' "$_l")" = "$config" ]; then
                cat > /dev/null
                # what the health check would look at next, seen in this round trip: does it listen on its port?
                seen=
                if [ -n "$port" ]; then for h in $(listeners "$port"); do ours "$h" "$pid" && seen=" listens"; done; fi
                echo "unchanged $pid$seen"; exit 0
              fi
              stopit "$pid" "$grace" > /dev/null
              was=restarted
            fi
            nolink "$pidf" "$pidf.start" "$pidf.config" "$exitf"
            rm -f "$pidf" "$pidf.start" "$pidf.config" "$exitf"
            envf="$base/env/$name.env"
            nolink "$envf"
            t=$(mktemp "$base/env/.new.XXXXXX") && cat > "$t" && mv -f "$t" "$envf" \\
              || { echo "cannot write $envf" >&2; exit 1; }
            case "$log" in /*) ;; *) log="$HOME/$log" ;; esac
            [ -d "${log%/*}" ] || mkdir -p "${log%/*}"
            nolink "$log" "$log.1"
            if [ -f "$log" ] && [ "$(wc -c < "$log")" -gt "$maxlog" ]; then mv -f "$log" "$log.1"; fi
            cd "$dir" 2>/dev/null || { echo "the path $dir of $name does not exist or cannot be entered" >&2; exit 4; }
            exe=${cmd#exec }
            exe=${exe%%[ \t]*}
            case "$exe" in
              ''|*[!A-Za-z0-9_./+-]*) ;;
              *) if ! (set -a; if [ -n "$userenv" ] && [ -f "$userenv" ]; then . "$userenv"; fi; . "$envf"; \
                      command -v -- "$exe") > /dev/null 2>&1; then
                   echo "the executable '$exe' of $name was not found (in $dir, with its PATH)" >&2; exit 127
                 fi ;;
            esac
            if [ -n "$port" ] && listening "$port"; then
              holder=$(listeners "$port" | head -n 1)
              if [ -n "$holder" ]; then echo "port $port is already in use by $(describe "$holder"); $name was not started" >&2
              else echo "port $port is already in use by another process; $name was not started" >&2; fi
              exit 5
            fi
            if command -v uv >/dev/null 2>&1 && [ -f pyproject.toml ]; then uv sync >> "$log" 2>&1; fi
            command -v setsid > /dev/null 2>&1 || { echo "setsid is not installed on this machine" >&2; exit 1; }
            runner="$base/run/portoser-run"
            if [ "$(cat "$runner" 2>/dev/null)" != "$wrapper" ]; then put "$wrapper" "$runner"; fi
            fifo="$base/run/.$name.$$.fifo"
            rm -f "$fifo"; mkfifo -m 600 "$fifo"
            setsid sh "$runner" "$base" "$name" "$config" "$fifo" "$userenv" "$envf" "$cmd" >> "$log" 2>&1 < /dev/null &
            read -r pid < "$fifo"
            rm -f "$fifo"
            isproc "$pid" || { echo "$name did not start; see $log" >&2; exit 1; }
            echo "$was $pid"
            """;

    /**
     * Whether the instance runs and is the one on its port. Prints {@code ok DETAIL}, {@code down DETAIL} or
     * {@code foreign DETAIL}, then on {@code down} the last lines of the log. Args: name, port (or empty), log.
     */
    static final String CHECK = """
            name=$1 port=$2 log=$3
            base="$HOME/.portoser"
            """ + PRELUDE + """
            case "$log" in /*) ;; *) log="$HOME/$log" ;; esac
            instance "$name"
            if [ "$state" != running ]; then
              echo "down $detail"; tail -n 10 "$log" 2>/dev/null; exit 0
            fi
            if [ -z "$port" ]; then echo "ok $detail"; exit 0; fi
            holders=$(listeners "$port")
            if [ -z "$holders" ]; then
              if listening "$port"; then echo "ok $detail (who holds port $port cannot be seen here)"
              else echo "ok $detail, not yet listening on port $port"; fi
              exit 0
            fi
            for h in $holders; do
              if ours "$h" "$pid"; then echo "ok $detail and listens on port $port"; exit 0; fi
            done
            set -- $holders
            echo "foreign port $port is held by $(describe "$1"), not by $name (process $pid)"
            """;
}

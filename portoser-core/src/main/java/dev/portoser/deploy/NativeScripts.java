package dev.portoser.deploy;

/**
 * The shell scripts {@link NativeServiceDeployer} runs on a machine, one per operation. Registry values reach them
 * only as positional arguments, file contents only on standard input (never a secret in argv). They decide the
 * scope themselves from the login ({@code id -u}): root gets system units (LaunchDaemons, rc.d), any other login
 * user units (LaunchAgents). Files are replaced by renaming a fresh file over them, so a planted symbolic link is
 * never written through, and Portoser's own directories must not be links. Package-private: not API.
 */
final class NativeScripts {
    private NativeScripts() {
    }

    /** What the machine is, in one round trip. */
    static final String PROBE = """
            echo "os $(uname -s)"
            echo "uid $(id -u)"
            echo "login $(id -un)"
            echo "home $HOME"
            [ -r /proc/1/comm ] && echo "pid1 $(cat /proc/1/comm)"
            if command -v systemctl >/dev/null 2>&1; then echo "systemd $(systemctl --version 2>/dev/null | head -n 1)"; fi
            true
            """;

    /** Shared by every script: refusing links, and Portoser's directories. */
    private static final String COMMON = """
            base="$HOME/.portoser"
            nolink() { for f do if [ -L "$f" ]; then echo "portoser: link $f"; exit 3; fi; done; }
            dirs() { nolink "$base"; mkdir -p "$base"; for d in env run logs; do nolink "$base/$d"; mkdir -p "$base/$d"; \
            nolink "$base/$d"; done; }
            # Replaces file $2 with standard input up to boundary $1 (or to the end when $1 is empty).
            take() { t=$(mktemp "$(dirname "$2")/.portoser.XXXXXX") || exit 3
              if [ -n "$1" ]; then while IFS= read -r line; do [ "$line" = "$1" ] && break; printf '%s\\n' "$line"; done > "$t"
              else cat > "$t"; fi; echo "$t"; }
            record() { t=$(mktemp "$base/run/.portoser.XXXXXX") && printf '%s\\n' "$2" > "$t" && mv -f "$t" "$base/run/$1.native"; }
            """;

    /** systemd's scope and commands for this login. */
    private static final String SYSTEMD = COMMON + """
            if [ "$(id -u)" = 0 ]; then
              scope=system units=/etc/systemd/system
              sc() { systemctl "$@"; }
              jc() { journalctl "$@"; }
              verify() { systemd-analyze verify --man=no "$@"; }
            else
              scope=user units="$HOME/.config/systemd/user"
              # Over SSH without PAM the variable may be missing; systemctl --user needs it to find the user manager.
              XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-/run/user/$(id -u)}; export XDG_RUNTIME_DIR
              sc() { systemctl --user "$@"; }
              jc() { journalctl --user "$@"; }
              verify() { systemd-analyze --user verify --man=no "$@"; }
            fi
            state() { # unit: its properties, one KEY=VALUE a line
              if [ "$scope" = user ] && [ ! -S "$XDG_RUNTIME_DIR/bus" ]; then echo "nomanager"; return 0; fi
              sc show -p LoadState -p ActiveState -p SubState -p MainPID -p ExecMainCode -p ExecMainStatus \\
                -p NeedDaemonReload -p Result -- "$1" 2>&1 | sed 's/^/p /'
            }
            """;

    /**
     * What a deploy needs to decide: the program's absolute path (resolved in the service's path, with the login's
     * PATH), the recorded digest, which dependency units exist, what runs. Args: unit, path, program, name, deps...
     */
    static final String SYSTEMD_LOOK = SYSTEMD + """
            unit=$1 path=$2 prog=$3 name=$4
            shift 4
            echo "record $(head -n 1 "$base/run/$name.native" 2>/dev/null)"
            for d do [ -f "$units/$d" ] && echo "dep $d"; done
            state "$unit"
            cd -- "$path" 2>/dev/null || { echo "nopath"; exit 0; }
            case $prog in
              /*) [ -f "$prog" ] && [ -x "$prog" ] && echo "exe $prog" ;;
              */*) [ -f "$prog" ] && [ -x "$prog" ] && echo "exe $(cd -- "$(dirname -- "$prog")" && pwd -P)/$(basename -- "$prog")" ;;
              *) p=$(command -v -- "$prog" 2>/dev/null) && case $p in /*) echo "exe $p" ;; esac ;;
            esac
            true
            """;

    /**
     * Installs and (re)starts: standard input is the unit, a boundary line, the environment file. Enables linger for
     * a user unit, checks the unit with {@code systemd-analyze verify} before anything is replaced, then
     * {@code daemon-reload}, {@code enable --now} (or {@code restart} when it ran), and records the digest.
     * Args: unit, name, boundary, digest, restart (yes when it runs, failed or waits to be restarted).
     */
    static final String SYSTEMD_INSTALL = "umask 077\n" + SYSTEMD + """
            unit=$1 name=$2 b=$3 digest=$4 restart=$5
            if [ "$scope" = user ]; then
              if [ "$(loginctl show-user "$(id -un)" -p Linger --value 2>/dev/null)" != yes ]; then
                out=$(loginctl enable-linger 2>&1) || { echo "portoser: nolinger $out"; exit 6; }
              fi
              i=0; while [ ! -S "$XDG_RUNTIME_DIR/bus" ] && [ "$i" -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
              [ -S "$XDG_RUNTIME_DIR/bus" ] || { echo "portoser: nomanager"; exit 6; }
            fi
            dirs
            mkdir -p "$units"
            stage="$units/.portoser-$name"
            nolink "$stage" "$base/env/$name.env"
            rm -rf -- "$stage"; mkdir -m 700 "$stage"
            t=$(take "$b" "$stage/$unit.tmp") && mv -f "$t" "$stage/$unit"
            envt=$(take "" "$base/env/$name.env")
            if ! out=$(verify "$stage/$unit" 2>&1); then
              rm -rf -- "$stage" "$envt"; echo "portoser: invalid"; printf '%s\\n' "$out"; exit 4
            fi
            mv -f "$envt" "$base/env/$name.env"
            chmod 644 "$stage/$unit"
            mv -f "$stage/$unit" "$units/$unit"
            rm -rf -- "$stage"
            sc daemon-reload || exit 5
            sc reset-failed "$unit" >/dev/null 2>&1
            if [ "$restart" = yes ]; then sc enable --quiet "$unit" && sc restart "$unit"
            else sc enable --quiet --now "$unit"; fi
            rc=$?
            if [ "$rc" -ne 0 ]; then echo "portoser: start failed"; jc -u "$unit" -n 10 --no-pager -o cat 2>&1; exit 5; fi
            record "$name" "$digest"
            state "$unit"
            """;

    /** What runs. Args: unit, name. */
    static final String SYSTEMD_STATUS = SYSTEMD + """
            unit=$1 name=$2
            echo "record $(head -n 1 "$base/run/$name.native" 2>/dev/null)"
            state "$unit"
            """;

    /** Health: the unit is active and its main PID alive; else why not, and the journal's last lines. Args: unit. */
    static final String SYSTEMD_CHECK = SYSTEMD + """
            unit=$1
            state "$unit"
            pid=$(sc show -p MainPID --value -- "$unit" 2>/dev/null)
            case $pid in ''|0|*[!0-9]*) ;; *) kill -0 "$pid" 2>/dev/null && echo "alive $pid" ;; esac
            echo "=== journal"
            jc -u "$unit" -n 10 --no-pager -o cat 2>/dev/null
            true
            """;

    /** Starts (a no-op when it runs), stops, or restarts an installed unit. Args: unit, action. */
    static final String SYSTEMD_CONTROL = SYSTEMD + """
            unit=$1 action=$2
            if [ "$scope" = user ] && [ ! -S "$XDG_RUNTIME_DIR/bus" ]; then echo "portoser: not installed"; exit 0; fi
            if [ "$(sc show -p LoadState --value -- "$unit" 2>/dev/null)" != loaded ]; then echo "portoser: not installed"; exit 0; fi
            case $action in
              stop) sc stop "$unit" ;;
              start) sc reset-failed "$unit" >/dev/null 2>&1; sc start "$unit" ;;
              restart) sc reset-failed "$unit" >/dev/null 2>&1; sc restart "$unit" ;;
            esac || { rc=$?; echo "portoser: failed"; jc -u "$unit" -n 10 --no-pager -o cat 2>&1; exit "$rc"; }
            state "$unit"
            """;

    /** Stops, disables and deletes the unit and Portoser's files of it. Args: unit, name. */
    static final String SYSTEMD_REMOVE = SYSTEMD + """
            unit=$1 name=$2
            if [ "$scope" = system ] || [ -S "$XDG_RUNTIME_DIR/bus" ]; then
              if [ "$(sc show -p LoadState --value -- "$unit" 2>/dev/null)" = loaded ]; then
                sc disable --now "$unit" 2>&1 || exit 5
              fi
            fi
            nolink "$base/env/$name.env" "$base/run/$name.native"
            rm -f -- "$units/$unit" "$base/env/$name.env" "$base/run/$name.native"
            if [ "$scope" = system ] || [ -S "$XDG_RUNTIME_DIR/bus" ]; then
              sc daemon-reload; sc reset-failed "$unit" >/dev/null 2>&1
            fi
            true
            """;

    /** The journal's last lines of the unit. Args: unit, lines. */
    static final String SYSTEMD_LOGS = SYSTEMD + """
            unit=$1 n=$2
            jc -u "$unit" -n "$n" --no-pager -o short-iso 2>&1
            """;

    /** launchd's domain and directory for this login. */
    private static final String LAUNCHD = COMMON + """
            if [ "$(id -u)" = 0 ]; then domain=system dir=/Library/LaunchDaemons
            else
              dir="$HOME/Library/LaunchAgents" domain="gui/$(id -u)"
              # Without a graphical login (over SSH) the agent goes to the login's background domain.
              launchctl print "$domain" >/dev/null 2>&1 || domain="user/$(id -u)"
            fi
            state() { # label
              if out=$(launchctl print "$domain/$1" 2>/dev/null); then
                printf '%s\\n' "$out" | sed -n -E 's/^[[:space:]]*(state|pid|last exit code) = (.*)$/p \\1=\\2/p'
                echo "p loaded=yes"
              else echo "p loaded=no"; fi
            }
            """;

    /** Like {@link #SYSTEMD_LOOK} for launchd. Args: label, path, program, name. */
    static final String LAUNCHD_LOOK = LAUNCHD + """
            label=$1 path=$2 prog=$3 name=$4
            echo "record $(head -n 1 "$base/run/$name.native" 2>/dev/null)"
            state "$label"
            cd -- "$path" 2>/dev/null || { echo "nopath"; exit 0; }
            case $prog in
              /*) [ -f "$prog" ] && [ -x "$prog" ] && echo "exe $prog" ;;
              */*) [ -f "$prog" ] && [ -x "$prog" ] && echo "exe $(cd -- "$(dirname -- "$prog")" && pwd -P)/$(basename -- "$prog")" ;;
              *) p=$(command -v -- "$prog" 2>/dev/null) && case $p in /*) echo "exe $p" ;; esac ;;
            esac
            true
            """;

    /**
     * Installs the property list and environment file from standard input (plist, boundary, env file), checks the
     * plist with {@code plutil -lint}, then {@code bootout}, {@code bootstrap} and {@code kickstart -k}.
     * Args: label, name, boundary, digest.
     */
    static final String LAUNCHD_INSTALL = "umask 077\n" + LAUNCHD + """
            label=$1 name=$2 b=$3 digest=$4
            dirs
            mkdir -p "$dir"
            plist="$dir/$label.plist"
            t=$(take "$b" "$plist")
            envt=$(take "" "$base/env/$name.env")
            if ! out=$(plutil -lint "$t" 2>&1); then rm -f -- "$t" "$envt"; echo "portoser: invalid"; printf '%s\\n' "$out"; exit 4; fi
            chmod 644 "$t"
            launchctl bootout "$domain/$label" 2>/dev/null
            mv -f "$envt" "$base/env/$name.env"
            mv -f "$t" "$plist"
            launchctl bootstrap "$domain" "$plist" || { echo "portoser: start failed"; exit 5; }
            launchctl kickstart -k "$domain/$label" || { echo "portoser: start failed"; exit 5; }
            record "$name" "$digest"
            state "$label"
            """;

    /** What runs. Args: label, name. */
    static final String LAUNCHD_STATUS = LAUNCHD + """
            label=$1 name=$2
            echo "record $(head -n 1 "$base/run/$name.native" 2>/dev/null)"
            state "$label"
            """;

    /** Starts, stops or restarts an installed agent or daemon. Args: label, action. */
    static final String LAUNCHD_CONTROL = LAUNCHD + """
            label=$1 action=$2
            plist="$dir/$label.plist"
            [ -f "$plist" ] || { echo "portoser: not installed"; exit 0; }
            case $action in
              stop) launchctl bootout "$domain/$label" 2>/dev/null; true ;;
              start) launchctl print "$domain/$label" >/dev/null 2>&1 || launchctl bootstrap "$domain" "$plist" ;;
              restart) { launchctl print "$domain/$label" >/dev/null 2>&1 || launchctl bootstrap "$domain" "$plist"; } \\
                && launchctl kickstart -k "$domain/$label" ;;
            esac || { echo "portoser: failed"; exit 5; }
            state "$label"
            """;

    /** Boots out and deletes the property list and Portoser's files. Args: label, name. */
    static final String LAUNCHD_REMOVE = LAUNCHD + """
            label=$1 name=$2
            launchctl bootout "$domain/$label" 2>/dev/null
            nolink "$base/env/$name.env" "$base/run/$name.native"
            rm -f -- "$dir/$label.plist" "$base/env/$name.env" "$base/run/$name.native"
            true
            """;

    /** rc.d on BSD: root only. */
    private static final String RCD = COMMON + """
            [ "$(id -u)" = 0 ] || { echo "portoser: notroot"; exit 7; }
            dir=/usr/local/etc/rc.d
            state() { # name
              if [ ! -f "$dir/$1" ]; then echo "p installed=no"; return 0; fi
              echo "p installed=yes"
              if service "$1" status >/dev/null 2>&1; then echo "p running=yes"; else echo "p running=no"; fi
              echo "p pid=$(head -n 1 "/var/run/$1.child.pid" 2>/dev/null)"
            }
            """;

    /** Like {@link #SYSTEMD_LOOK} for rc.d. Args: rc name, path, program, name. */
    static final String RCD_LOOK = RCD + """
            rc=$1 path=$2 prog=$3 name=$4
            echo "record $(head -n 1 "$base/run/$name.native" 2>/dev/null)"
            state "$rc"
            cd -- "$path" 2>/dev/null || { echo "nopath"; exit 0; }
            case $prog in
              /*) [ -f "$prog" ] && [ -x "$prog" ] && echo "exe $prog" ;;
              */*) [ -f "$prog" ] && [ -x "$prog" ] && echo "exe $(cd -- "$(dirname -- "$prog")" && pwd -P)/$(basename -- "$prog")" ;;
              *) p=$(command -v -- "$prog" 2>/dev/null) && case $p in /*) echo "exe $p" ;; esac ;;
            esac
            true
            """;

    /**
     * Installs the rc.d script and environment file from standard input (script, boundary, env file), checks the
     * script with {@code sh -n}, then {@code sysrc NAME_enable=YES}, {@code service NAME stop} and
     * {@code service NAME start}. Args: rc name, name, boundary, digest.
     */
    static final String RCD_INSTALL = "umask 077\n" + RCD + """
            rc=$1 name=$2 b=$3 digest=$4
            dirs
            t=$(take "$b" "$dir/$rc")
            envt=$(take "" "$base/env/$name.env")
            if ! out=$(sh -n "$t" 2>&1); then rm -f -- "$t" "$envt"; echo "portoser: invalid"; printf '%s\\n' "$out"; exit 4; fi
            chmod 755 "$t"
            [ -f "$dir/$rc" ] && service "$rc" stop >/dev/null 2>&1
            mv -f "$envt" "$base/env/$name.env"
            mv -f "$t" "$dir/$rc"
            sysrc "${rc}_enable=YES" >/dev/null || { echo "portoser: start failed"; exit 5; }
            service "$rc" start || { echo "portoser: start failed"; exit 5; }
            record "$name" "$digest"
            state "$rc"
            """;

    /** What runs. Args: rc name, name. */
    static final String RCD_STATUS = RCD + """
            rc=$1 name=$2
            echo "record $(head -n 1 "$base/run/$name.native" 2>/dev/null)"
            state "$rc"
            """;

    /** Starts, stops or restarts an installed script. Args: rc name, action. */
    static final String RCD_CONTROL = RCD + """
            rc=$1 action=$2
            [ -f "$dir/$rc" ] || { echo "portoser: not installed"; exit 0; }
            case $action in
              stop) if service "$rc" status >/dev/null 2>&1; then service "$rc" stop; fi ;;
              start) service "$rc" status >/dev/null 2>&1 || service "$rc" start ;;
              restart) service "$rc" restart ;;
            esac || { echo "portoser: failed"; exit 5; }
            state "$rc"
            """;

    /** Stops, disables and deletes the script and Portoser's files. Args: rc name, name. */
    static final String RCD_REMOVE = RCD + """
            rc=$1 name=$2
            if [ -f "$dir/$rc" ]; then service "$rc" stop >/dev/null 2>&1; fi
            sysrc -x "${rc}_enable" >/dev/null 2>&1
            nolink "$base/env/$name.env" "$base/run/$name.native"
            rm -f -- "$dir/$rc" "$base/env/$name.env" "$base/run/$name.native"
            true
            """;

    /** The last lines of a launchd or rc.d service's log. Args: name, lines. */
    static final String TAIL_LOG = """
            name=$1 n=$2
            log="$HOME/.portoser/logs/$name.log"
            [ -f "$log" ] || { echo "portoser: no log"; exit 0; }
            tail -n "$n" -- "$log"
            """;
}

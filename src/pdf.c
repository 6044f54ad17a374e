/* pdf.c: a report printed to PDF by headless Chromium: the HTML written to a private work
 * folder, printed there with a throw-away profile under a time limit, and copied out whole. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "docket/pdf.h"
#include "docket/text.h"

/* What a failing Chromium's message quotes of its output: its last lines, this many, and at
 * most this many bytes of them in all. */
enum { TAIL_LINES = 3, TAIL_BYTES = 300 };

/* Returns a new string "DIR/NAME" (free), or NULL when memory runs out. */
static char *
join(const char *dir, size_t dlen, const char *name)
{
    size_t n = dlen + strlen(name) + 2;
    char *s = malloc(n);

    if (s != NULL)
        snprintf(s, n, "%.*s/%s", (int)dlen, dir, name);
    return s;
}

/* Returns a new string naming NAME's executable file in the first folder of SEARCH (a PATH
 * value: folders split by ':', an empty one the current folder) that holds one, or NULL. */
static char *
search_path(const char *search, const char *name)
{
    const char *p = search;

    for (;;) {
        size_t len = strcspn(p, ":");
        char *cand = len ? join(p, len, name) : join(".", 1, name);
        struct stat sb;

        if (cand != NULL && stat(cand, &sb) == 0 && S_ISREG(sb.st_mode) && access(cand, X_OK) == 0)
            return cand;
        free(cand);
        if (p[len] == '\0')
            return NULL;
        p += len + 1;
    }
}

int
pdf_find_browser(char **path, struct diag *d)
{
    static const char *const names[] = {"chromium", "chromium-browser"};
    const char *search = getenv("PATH");
    char fallback[256];

    /* Without PATH, the system's default search path, as execvp would use. */
    if (search == NULL) {
        size_t n = confstr(_CS_PATH, fallback, sizeof fallback);

        search = n > 0 && n <= sizeof fallback ? fallback : "/usr/bin:/bin";
    }
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char *found = search_path(search, names[i]);

        if (found != NULL) {
            *path = found;
            return 0;
        }
    }
    return diag_set(d, DK_IO, "--format pdf needs chromium (apt install chromium)");
}

static int
remove_entry(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
    (void)sb;
    (void)type;
    (void)ftw;
    remove(path);
    return 0;
}

/* Removes the folder DIR and everything in it, without following symbolic links. */
static void
remove_tree(const char *dir)
{
    nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* The prefix of a work folder's name; the process id that follows tells a later run whether
 * the folder was left by a process that is gone (one killed while Chromium printed). */
static const char work_prefix[] = "docket-pdf-";

/* Removes the work folders in TMP that this user's earlier runs left when they were killed. */
static void
sweep(const char *tmp)
{
    size_t n = sizeof work_prefix - 1;
    DIR *dir = opendir(tmp);
    struct dirent *e;

    if (dir == NULL)
        return;
    while ((e = readdir(dir)) != NULL) {
        struct stat sb;
        char *end, *path;
        long pid;

        if (strncmp(e->d_name, work_prefix, n) != 0)
            continue;
        pid = strtol(e->d_name + n, &end, 10);
        if (end == e->d_name + n || *end != '-' || pid <= 0 || pid == (long)getpid() ||
            kill((pid_t)pid, 0) == 0 || errno != ESRCH)
            continue;
        if (fstatat(dirfd(dir), e->d_name, &sb, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISDIR(sb.st_mode) ||
            sb.st_uid != geteuid() || (path = join(tmp, strlen(tmp), e->d_name)) == NULL)
            continue;
        remove_tree(path);
        free(path);
    }
    closedir(dir);
}

void
pdf_close(struct pdf *p)
{
    if (p->f != NULL)
        fclose(p->f);
    if (p->dir != NULL) {
        remove_tree(p->dir);
        free(p->dir);
    }
    free(p->browser);
    memset(p, 0, sizeof *p);
}

int
pdf_open(struct pdf *p, struct diag *d)
{
    const char *tmp = getenv("TMPDIR");
    char *html = NULL, *made = NULL;
    size_t n;
    int rc;

    memset(p, 0, sizeof *p);
    if ((rc = pdf_find_browser(&p->browser, d)) != 0)
        return rc;
    if (tmp == NULL || *tmp != '/')
        tmp = "/tmp";
    sweep(tmp);
    n = strlen(tmp) + sizeof work_prefix + 32;
    if ((made = malloc(n)) == NULL) {
        rc = diag_set(d, DK_IO, "out of memory");
        goto fail;
    }
    snprintf(made, n, "%s/%s%ld-XXXXXX", tmp, work_prefix, (long)getpid());
    if (mkdtemp(made) == NULL) {
        rc = diag_set(d, DK_IO, "cannot make a work folder in '%s': %s", tmp, strerror(errno));
        free(made);
        goto fail;
    }
    /* A resolved name: Chromium is given it as a file: URL, which must be absolute. */
    p->dir = realpath(made, NULL);
    if (p->dir == NULL) {
        rc = diag_set(d, DK_IO, "cannot resolve '%s': %s", made, strerror(errno));
        remove_tree(made);
        free(made);
        goto fail;
    }
    free(made);
    if ((html = join(p->dir, strlen(p->dir), "report.html")) == NULL) {
        rc = diag_set(d, DK_IO, "out of memory");
        goto fail;
    }
    if ((p->f = fopen(html, "we")) == NULL) {
        rc = diag_set(d, DK_IO, "cannot write '%s': %s", html, strerror(errno));
        goto fail;
    }
    free(html);
    return 0;
fail:
    free(html);
    pdf_close(p);
    return rc;
}

/* Writes into OUT (of SIZE bytes) the last TAIL_LINES non-empty lines of the file LOG, joined
 * by " | ", each without the "[pid:tid:time:LEVEL:file(line)] " prefix of Chromium's log lines,
 * cut to about TAIL_BYTES; "" when there is none. */
static void
log_tail(const char *log, char *out, size_t size)
{
    char buf[4096], *lines[TAIL_LINES], *line, *save = NULL;
    int nl = 0, cut = 0;
    size_t n = 0, o = 0;
    long end;
    FILE *f = fopen(log, "re");

    out[0] = '\0';
    if (f == NULL)
        return;
    /* Only the end of a long log is read; its first line there may be cut, and is left out. */
    if (fseek(f, 0, SEEK_END) == 0 && (end = ftell(f)) >= 0) {
        cut = end > (long)sizeof buf - 1;
        if (fseek(f, cut ? end - (long)sizeof buf + 1 : 0, SEEK_SET) == 0)
            n = fread(buf, 1, sizeof buf - 1, f);
    }
    fclose(f);
    buf[n] = '\0';
    for (line = strtok_r(buf, "\r\n", &save); line; line = strtok_r(NULL, "\r\n", &save)) {
        char *close = strstr(line, "] ");

        if (cut) {
            cut = 0;
            continue;
        }
        if (line[0] == '[' && close != NULL)
            line = close + 2;
        if (strspn(line, " \t") == strlen(line))
            continue;
        if (nl == TAIL_LINES) {
            memmove(lines, lines + 1, (TAIL_LINES - 1) * sizeof lines[0]);
            nl--;
        }
        lines[nl++] = line;
    }
    for (int i = 0; i < nl && o < size && o < TAIL_BYTES; i++) {
        int w = snprintf(out + o, size - o, "%s%s", o ? " | " : "", lines[i]);

        if (w < 0)
            break;
        o += (size_t)w;
    }
    if (o > TAIL_BYTES && size > TAIL_BYTES + 3)
        memcpy(out + TAIL_BYTES, "...", 4);
    for (char *c = out; *c; c++)
        if ((unsigned char)*c < 0x20)
            *c = ' ';
}

/* The signal that asked docket to stop while Chromium printed, or 0. */
static volatile sig_atomic_t stop_signal;

static void
on_stop(int sig)
{
    stop_signal = sig;
}

/* The signals that stop docket from a terminal or a service manager: while Chromium prints in
 * its own process group, which they do not reach, docket takes them itself, stops it and
 * cleans up. */
static const int stop_signals[] = {SIGINT, SIGTERM, SIGHUP};
enum { NSTOP = sizeof stop_signals / sizeof stop_signals[0] };

/* Returns the seconds elapsed since START on the monotonic clock. */
static double
since(const struct timespec *start)
{
    struct timespec now;

    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - start->tv_sec) + (double)(now.tv_nsec - start->tv_nsec) / 1e9;
}

/* Starts ARGV[0] with the environment ENVP in a process group of its own, stdin from /dev/null,
 * stdout and stderr to the file LOG; waits for it at most TIMEOUT_S seconds, or until docket is
 * asked to stop, then kills the group. Whatever the browser left running in its group (a crash
 * handler) is killed once it is done. Writes into *STATUS its wait status and into *TIMED_OUT
 * whether it ran out of time. */
static int
run_browser(char *const argv[], char *const envp[], const char *log, long timeout_s, int *status,
            int *timed_out, struct diag *d)
{
    static const struct timespec tick = {0, 10 * 1000 * 1000};
    struct sigaction act, old[NSTOP];
    struct timespec start;
    int in = -1, out = -1, report[2] = {-1, -1}, child_errno = 0, rc = 0;
    pid_t pid = -1;
    siginfo_t si;

    *timed_out = 0;
    stop_signal = 0;
    memset(&act, 0, sizeof act);
    act.sa_handler = on_stop;
    sigemptyset(&act.sa_mask);
    for (int i = 0; i < NSTOP; i++)
        sigaction(stop_signals[i], &act, &old[i]);
    if ((in = open("/dev/null", O_RDONLY | O_CLOEXEC)) < 0 ||
        (out = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) < 0 ||
        pipe2(report, O_CLOEXEC) != 0) {
        rc = diag_set(d, DK_IO, "cannot start '%s': %s", argv[0], strerror(errno));
        goto out;
    }
    clock_gettime(CLOCK_MONOTONIC, &start);
    if ((pid = fork()) < 0) {
        rc = diag_set(d, DK_IO, "cannot start '%s': %s", argv[0], strerror(errno));
        goto out;
    }
    if (pid == 0) {
        /* Only async-signal-safe calls until exec. The pipe tells the parent why exec
         * failed; it closes itself when exec succeeds. */
        int e;

        setpgid(0, 0);
        signal(SIGPIPE, SIG_DFL);
        for (int i = 0; i < NSTOP; i++)
            signal(stop_signals[i], SIG_DFL);
        if (dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(out, 2) < 0) {
            e = errno;
        } else {
            execve(argv[0], argv, envp);
            e = errno;
        }
        if (write(report[1], &e, sizeof e) < 0)
            _exit(126);
        _exit(127);
    }
    /* Also here, so that the group exists before any kill below, whichever runs first. */
    setpgid(pid, pid);
    close(report[1]);
    report[1] = -1;
    if (read(report[0], &child_errno, sizeof child_errno) == (ssize_t)sizeof child_errno) {
        waitpid(pid, status, 0);
        rc = diag_set(d, DK_IO, "cannot start '%s': %s", argv[0], strerror(child_errno));
        goto out;
    }
    /* Polled: the child's exit is seen without reaping it (WNOWAIT), so that its process
     * group, named after its pid, cannot be another's when it is killed. */
    for (;;) {
        memset(&si, 0, sizeof si);
        if (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) != 0 && errno != EINTR) {
            rc = diag_set(d, DK_IO, "cannot wait for '%s': %s", argv[0], strerror(errno));
            break;
        }
        if (si.si_pid == pid)
            break;
        if (stop_signal != 0) {
            rc = diag_set(d, DK_IO, "stopped by signal %d while chromium printed the report",
                          (int)stop_signal);
            break;
        }
        if (since(&start) >= (double)timeout_s) {
            *timed_out = 1;
            break;
        }
        nanosleep(&tick, NULL);
    }
    kill(-pid, SIGKILL);
    while (waitpid(pid, status, 0) < 0 && errno == EINTR)
        ;
out:
    for (int i = 0; i < NSTOP; i++)
        sigaction(stop_signals[i], &old[i], NULL);
    if (in >= 0)
        close(in);
    if (out >= 0)
        close(out);
    if (report[0] >= 0)
        close(report[0]);
    if (report[1] >= 0)
        close(report[1]);
    return rc;
}

/* Copies the PDF at PATH to OUT, once its first bytes show it is one. */
static int
copy_pdf(const char *path, FILE *out, struct diag *d)
{
    char buf[65536];
    size_t n;
    int rc = 0;
    FILE *f = fopen(path, "rbe");

    if (f == NULL)
        return diag_set(d, DK_IO, "chromium wrote no PDF");
    n = fread(buf, 1, sizeof buf, f);
    if (n < 5 || memcmp(buf, "%PDF-", 5) != 0) {
        rc = diag_set(d, DK_IO, "what chromium wrote is not a PDF");
        goto out;
    }
    do {
        if (fwrite(buf, 1, n, out) != n) {
            rc = diag_set(d, DK_IO, "cannot write the PDF: %s", strerror(errno));
            goto out;
        }
    } while ((n = fread(buf, 1, sizeof buf, f)) > 0);
    if (ferror(f))
        rc = diag_set(d, DK_IO, "cannot read chromium's PDF: %s", strerror(errno));
out:
    fclose(f);
    return rc;
}

int
pdf_print(struct pdf *p, FILE *out, long timeout_s, struct diag *d)
{
    char *html = join(p->dir, strlen(p->dir), "report.html");
    char *pdf = join(p->dir, strlen(p->dir), "report.pdf");
    char *profile = join(p->dir, strlen(p->dir), "profile");
    char *log = join(p->dir, strlen(p->dir), "chromium.log");
    char *tmp = join(p->dir, strlen(p->dir), "tmp");
    char url[8192], print_to[8192], user_dir[8192], tmp_env[8192], tail[TAIL_BYTES + 8];
    char *argv[10], **envp = NULL;
    int argc = 0, status = 0, timed_out = 0, rc = 0, e = 0;
    size_t nenv = 0;
    FILE *f = p->f;

    p->f = NULL;
    if (fflush(f) != 0 || ferror(f))
        e = errno ? errno : EIO;
    if (fclose(f) != 0 && e == 0)
        e = errno;
    if (e != 0) {
        rc = diag_set(d, DK_IO, "cannot write the report's HTML: %s", strerror(e));
        goto out;
    }
    while (environ != NULL && environ[nenv] != NULL)
        nenv++;
    if (html == NULL || pdf == NULL || profile == NULL || log == NULL || tmp == NULL ||
        (envp = calloc(nenv + 2, sizeof *envp)) == NULL) {
        rc = diag_set(d, DK_IO, "out of memory");
        goto out;
    }
    if (mkdir(profile, 0700) != 0 || mkdir(tmp, 0700) != 0) {
        rc = diag_set(d, DK_IO, "cannot make a folder in '%s': %s", p->dir, strerror(errno));
        goto out;
    }
    if (text_file_uri("file://", html, "", url, sizeof url) != 0 ||
        snprintf(print_to, sizeof print_to, "--print-to-pdf=%s", pdf) >= (int)sizeof print_to ||
        snprintf(user_dir, sizeof user_dir, "--user-data-dir=%s", profile) >=
            (int)sizeof user_dir ||
        snprintf(tmp_env, sizeof tmp_env, "TMPDIR=%s", tmp) >= (int)sizeof tmp_env) {
        rc = diag_set(d, DK_IO, "the work folder's name '%s' is too long", p->dir);
        goto out;
    }
    argv[argc++] = p->browser;
    argv[argc++] = "--headless";
    argv[argc++] = "--disable-gpu";
    argv[argc++] = "--no-pdf-header-footer";
    argv[argc++] = print_to;
    argv[argc++] = user_dir;
    /* Chromium refuses to run as root with its sandbox; as anyone else, the sandbox stays. */
    if (geteuid() == 0)
        argv[argc++] = "--no-sandbox";
    argv[argc++] = url;
    argv[argc] = NULL;
    /* Its own temporary files go into the work folder too: what a Chromium that was killed
     * leaves there goes with it. */
    nenv = 0;
    for (char **v = environ; v != NULL && *v != NULL; v++)
        if (strncmp(*v, "TMPDIR=", 7) != 0)
            envp[nenv++] = *v;
    envp[nenv++] = tmp_env;
    envp[nenv] = NULL;
    if ((rc = run_browser(argv, envp, log, timeout_s, &status, &timed_out, d)) != 0)
        goto out;
    if (timed_out) {
        rc = diag_set(d, DK_IO,
                      "chromium took longer than %ld s to print the report and was stopped "
                      "(DOCKET_PDF_TIMEOUT sets the limit in seconds)",
                      timeout_s);
        goto out;
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        log_tail(log, tail, sizeof tail);
        if (WIFSIGNALED(status))
            rc = diag_set(d, DK_IO, "chromium was killed by signal %d%s%s", WTERMSIG(status),
                          tail[0] ? ": " : "", tail);
        else
            rc = diag_set(d, DK_IO, "chromium failed with exit status %d%s%s", WEXITSTATUS(status),
                          tail[0] ? ": " : "", tail);
        goto out;
    }
    rc = copy_pdf(pdf, out, d);
out:
    free(envp);
    free(html);
    free(pdf);
    free(profile);
    free(log);
    free(tmp);
    return rc;
}

# Issue 19: report templates that once crashed the parser, hung after the sweep, or took minutes
# to check.

# The smallest study: one run of one epoch, no store.
TEMPLATE_STUDY=(--seeds 1 --fractions 0 --widths 8 --epochs 1 --no-store)

# A tab between the delimiters of a set-delimiter tag once hid 20,000 nested sections from the
# nesting check; the parser recursed once per level and died of SIGSEGV.
case_set_delimiter_tab_deep_nesting() {
  { printf '{{=<%%\t%%>=}}'; printf '<%%#fits%%>%.0s' $(seq 20000); printf '<%%/fits%%>%.0s' $(seq 20000); } >t.md
  local before; before=$(snapshot .)
  mr "${TEMPLATE_STUDY[@]}" --template t.md --output out
  refused "t\.md:1:[0-9]+: template does not parse: sections nest deeper than 100 levels" && unchanged . "$before"
}
hostile_case set-delimiter-tab-deep-nesting case_set_delimiter_tab_deep_nesting

# The same trick with a line break let a partial through.
case_set_delimiter_partial() {
  printf '{{=<%%\n%%>=}}<%%> /etc/passwd%%>\n' >t.md
  local before; before=$(snapshot .)
  mr "${TEMPLATE_STUDY[@]}" --template t.md --output out
  refused "t\.md:2:6: template does not parse: partials \(\{\{> name\}\}\) are not supported" && unchanged . "$before"
}
hostile_case set-delimiter-partial case_set_delimiter_partial

# `figures` nested 40 deep renders 3^40 times: it once ran after the whole sweep and never
# answered, leaving a staging folder. Refused before the first run of a sweep of hours.
case_nested_sections_refused_before_the_sweep() {
  { printf '{{#figures}}%.0s' $(seq 40); printf 'x'; printf '{{/figures}}%.0s' $(seq 40); } >t.md
  local before; before=$(snapshot .)
  MR_TIMEOUT=30 mr --widths 256,512 --epochs 100000 --template t.md --output out
  refused "t\.md:1:[0-9]+: rendering would take about [0-9.e+]+ steps by this tag, more than the [0-9]+ allowed" &&
    unchanged . "$before"
}
hostile_case nested-sections-refused-before-the-sweep case_nested_sections_refused_before_the_sweep

# 25,000 tags on one line took 57 s: the template was cut into pieces at line breaks only, and the
# parser is quadratic in what it parses at once. 50,000 are checked and rendered, with the whole run,
# in about 0.7 s on 2 cores; the bound of 5 s leaves room for a slow host and still catches the
# quadratic parser (minutes at this size).
case_many_tags_on_one_line() {
  printf '{{chanceAccuracy}}%.0s' $(seq 50000) >t.md
  mr_timed "${TEMPLATE_STUDY[@]}" --template t.md --output out
  succeeded && within 5 || return 1
  [ "$(wc -c <out/report.md)" = $((5 * 50000)) ] || { why "report.md has $(wc -c <out/report.md) bytes, not $((5 * 50000))"; return 1; }
}
hostile_case many-tags-on-one-line case_many_tags_on_one_line

# The same inside a section, whose body is cut into pieces that render through placeholders.
case_many_tags_on_one_line_in_a_section() {
  { printf '{{#fits}}'; printf '{{series}}%.0s' $(seq 50000); printf '{{/fits}}'; } >t.md
  mr_timed "${TEMPLATE_STUDY[@]}" --template t.md --output out
  succeeded && within 5 || return 1
  [ "$(wc -c <out/report.md)" = $((5 * 50000)) ] || { why "report.md has $(wc -c <out/report.md) bytes, not $((5 * 50000))"; return 1; }
}
hostile_case many-tags-on-one-line-in-a-section case_many_tags_on_one_line_in_a_section

# Issue 19, part A: an HTML template that repeats the figures, which the report embeds as data URIs,
# was forecast with their paths (a few characters each), passed the check before the sweep and was
# refused only after it ("more than the 64 MiB allowed", where the documentation says 32 MiB). It
# is refused before the first run of a sweep of hours, naming the documented 32 MiB.
case_html_template_over_the_size_limit_refused_before_the_sweep() {
  for i in $(seq 2000); do printf '{{#figures}}<img src="{{file}}">{{/figures}}\n'; done >t.html
  local before; before=$(snapshot .)
  MR_TIMEOUT=60 mr --widths 256,512 --epochs 100000 --no-store --template t.html --output out
  refused "t\.html:[0-9]+:[0-9]+: the report would be about [0-9.e+]+ MiB by this tag, more than the 32 MiB allowed" && unchanged . "$before"
}
hostile_case html-template-over-the-size-limit-refused-before-the-sweep case_html_template_over_the_size_limit_refused_before_the_sweep

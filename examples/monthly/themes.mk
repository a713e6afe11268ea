# Reasons from free text (nps-themes), included by the Makefile beside it.
#
# In the monthly report: themes.tsv, the month's detractors per theme found
# in their comments with the example dictionary, and a table in summary.md.
# The weekly variant (make weekly, or make PERIOD=week): the top three
# themes among detractors in WEEK (default: the input's last week), the
# change of each one's share since the week before and its significance,
# into $(WEEK_OUT)/weekly.md.

THEMES ?= $(HERE)/../themes.tsv
TEXT_COL ?= comment
WEEK ?=
WEEK_OUT ?= out/weekly$(if $(WEEK),-$(WEEK))
WEEK_TOP ?= 3
DEPS += $(HERE)/themes.mk

ifeq ($(PERIOD),week)
.DEFAULT_GOAL := weekly
endif

# has_text FILE: whether FILE's header has the text column.
has_text = awk -F '\t' 'NR == 1 { for (i = 1; i <= NF; i++) if ($$i == "$(TEXT_COL)") f = 1; exit } END { exit !f }' $(1)
# detractors IN OUT: the rows of IN (classified) whose segment is detractor.
detractors = awk -F '\t' 'NR == 1 { for (i = 1; i <= NF; i++) if ($$i == "segment") c = i; print; next } \
	$$c == "detractor"' $(1) > $(2)

all: $(OUT)/themes.tsv
$(OUT)/summary.md: $(OUT)/themes.tsv

# The month's detractors per theme (nps-agg -g theme over nps-themes --long):
# n is the number of detractors mentioning it; other, those with none. No
# text column: an empty file, and the summary says so.
$(OUT)/themes.tsv: $(OUT)/responses.tsv $(THEMES) $(call tool,themes) $(call tool,agg) $(DEPS)
	$(TMP)
	if $(call has_text,$(OUT)/responses.tsv); then
		$(call detractors,$(OUT)/responses.tsv,$@.in.tmp)
		nps-themes -c '$(TEXT_COL)' --themes '$(THEMES)' --long $@.in.tmp | nps-agg -g theme > $@.tmp
	else
		: > $@.tmp
	fi
	mv $@.tmp $@

$(WEEK_OUT):
	mkdir -p $@

# Every detractor of the input; their count per week; each theme's per week.
$(WEEK_OUT)/detractors.tsv: $(INPUT) $(call tool,classify) $(DEPS) | $(WEEK_OUT)
	$(TMP)
	$(call has_text,'$(INPUT)') || { echo "$(INPUT): no column $(TEXT_COL) (TEXT_COL)" >&2; exit 65; }
	nps-classify '$(INPUT)' > $@.in.tmp
	$(call detractors,$@.in.tmp,$@.tmp)
	mv $@.tmp $@

$(WEEK_OUT)/weeks.tsv: $(WEEK_OUT)/detractors.tsv $(call tool,agg) $(DEPS)
	$(TMP)
	nps-agg -t '$(TIME_COL)' -p week $(WEEK_OUT)/detractors.tsv > $@.tmp
	mv $@.tmp $@

$(WEEK_OUT)/themes-week.tsv: $(WEEK_OUT)/detractors.tsv $(THEMES) $(call tool,themes) $(call tool,agg) $(DEPS)
	$(TMP)
	nps-themes -c '$(TEXT_COL)' --themes '$(THEMES)' --long $(WEEK_OUT)/detractors.tsv > $@.in.tmp
	nps-agg -g theme -t '$(TIME_COL)' -p week $@.in.tmp > $@.tmp
	mv $@.tmp $@

# WEEK against the week before, each theme's share of the detractors: one
# family of comparisons (Holm over the themes). A share, not an NPS: the
# plain Wald test of two proportions (--test wald), not NPS pseudo-counts.
$(WEEK_OUT)/trend.tsv: $(WEEK_OUT)/weeks.tsv $(WEEK_OUT)/themes-week.tsv $(HERE)/theme-shares $(call tool,signif) $(DEPS)
	$(TMP)
	$(HERE)/theme-shares $(if $(WEEK),-p '$(WEEK)') $(WEEK_OUT)/weeks.tsv $(WEEK_OUT)/themes-week.tsv > $@.in.tmp
	nps-signif --trend --test wald -g theme $@.in.tmp > $@.tmp
	mv $@.tmp $@

$(WEEK_OUT)/weekly.md: $(WEEK_OUT)/trend.tsv $(WEEK_OUT)/weeks.tsv $(WEEK_OUT)/themes-week.tsv $(HERE)/weekly-summary
	$(TMP)
	$(HERE)/weekly-summary -k $(WEEK_TOP) $(WEEK_OUT) > $@.tmp
	mv $@.tmp $@

weekly: $(WEEK_OUT)/weekly.md
	@cat $(WEEK_OUT)/weekly.md

.PHONY: weekly

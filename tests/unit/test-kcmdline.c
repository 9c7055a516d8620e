// SPDX-License-Identifier: GPL-2.0-or-later
/* The kernel command-line module: splitting, lookup, the passthrough switch, the edits (common/kcmdline.h). */
#include <stdlib.h>
#include <string.h>

#include "common/kcmdline.h"
#include "tests/lib/tap.h"

static int count(const struct vfe_karg *a, void *userdata)
{
	(void)a;
	++*(int *)userdata;
	return 0;
}

TEST(each_stops_at_dashes_and_hands_back_init_s_part)
{
	char *init = NULL;
	int n = 0;

	CHECK(vfe_kcmdline_each("ro quiet -- single  x=1\n", count, &n, &init) == 0);
	CHECK(n == 2);
	CHECK_STREQ(init, "single  x=1");
	free(init);
	n = 0;
	CHECK(vfe_kcmdline_each("ro quiet", count, &n, &init) == 0);
	CHECK(n == 2 && init == NULL);
	CHECK(vfe_kcmdline_each("ro --", count, &n, &init) == 0);
	CHECK_STREQ(init, "");
	free(init);
	n = 0;
	CHECK(vfe_kcmdline_each(NULL, count, &n, NULL) == 0 && n == 0);
}

TEST(words_are_kept_as_written)
{
	struct strv w = { 0 };

	CHECK(vfe_kcmdline_words("  a=\"b c\" \"d=e f\"\tg -- h\n", &w) == 0);
	CHECK(w.n == 5);
	CHECK_STREQ(w.n == 5 ? w.v[0] : NULL, "a=\"b c\"");
	CHECK_STREQ(w.n == 5 ? w.v[1] : NULL, "\"d=e f\"");
	CHECK_STREQ(w.n == 5 ? w.v[3] : NULL, "--");
	CHECK_STREQ(w.n == 5 ? w.v[4] : NULL, "h");
	strv_free(&w);
}

TEST(get_takes_the_last_value_by_the_kernel_s_names)
{
	char *v = NULL;

	CHECK(vfe_kcmdline_get("iommu=off quiet iommu=pt", "iommu", &v) == 1);
	CHECK_STREQ(v, "pt");
	free(v);
	CHECK(vfe_kcmdline_get("vfio_pci.ids=1:2", "vfio-pci.ids", &v) == 1);
	CHECK_STREQ(v, "1:2");
	free(v);
	CHECK(vfe_kcmdline_get("quiet splash", "splash", &v) == 1);
	CHECK_STREQ(v, "");
	free(v);
	CHECK(vfe_kcmdline_get("quiet -- iommu=pt", "iommu", &v) == 0 && v == NULL);
	CHECK(vfe_kcmdline_get("acpi=\"a b\"", "acpi", &v) == 1);
	CHECK_STREQ(v, "a b");
	free(v);
}

TEST(ours_by_name_with_rd_prefix_and_dashes)
{
	CHECK_STREQ(vfe_kcmdline_ours("vfio_early"), "");
	CHECK_STREQ(vfe_kcmdline_ours("rd.vfio-early"), "");
	CHECK_STREQ(vfe_kcmdline_ours("vfio-early.devices"), ".devices");
	CHECK_STREQ(vfe_kcmdline_ours("rd.vfio_early.debug"), ".debug");
	CHECK(vfe_kcmdline_ours("vfio_earlyx") == NULL);
	CHECK(vfe_kcmdline_ours("vfio_pci.ids") == NULL);
	CHECK(vfe_kcmdline_ours("rdvfio_early") == NULL);
}

TEST(switch_values)
{
	CHECK(vfe_kcmdline_switch("vfio_early", "off") == VFE_KSWITCH_OFF);
	CHECK(vfe_kcmdline_switch("rd.vfio_early", "Disabled") == VFE_KSWITCH_OFF);
	CHECK(vfe_kcmdline_switch("vfio-early", "1") == VFE_KSWITCH_ON);
	CHECK(vfe_kcmdline_switch("vfio_early", "maybe") == VFE_KSWITCH_BAD);
	CHECK(vfe_kcmdline_switch("vfio_early", NULL) == VFE_KSWITCH_BAD);
	CHECK(vfe_kcmdline_switch("vfio_early.debug", "off") == VFE_KSWITCH_NONE);
	CHECK(vfe_kcmdline_switch("quiet", NULL) == VFE_KSWITCH_NONE);
}

TEST(passthrough_off_last_valid_value_wins_and_names_it)
{
	char why[VFE_KSWITCH_REASON_MAX];

	CHECK(vfe_kcmdline_passthrough_off("ro rd.vfio-early=no quiet\n", why, sizeof(why)));
	CHECK_STREQ(why, "rd.vfio-early=no");
	CHECK(!vfe_kcmdline_passthrough_off("vfio_early=off vfio_early=on", why, sizeof(why)));
	CHECK_STREQ(why, "");
	CHECK(vfe_kcmdline_passthrough_off("vfio_early=off vfio_early=maybe", why, sizeof(why)));
	CHECK(!vfe_kcmdline_passthrough_off("ro -- vfio_early=off", why, sizeof(why)));
	CHECK(vfe_kcmdline_passthrough_off("\"vfio_early=off\"", NULL, 0));
	CHECK(!vfe_kcmdline_passthrough_off(NULL, why, sizeof(why)));
}

TEST(put_quotes_values_with_blanks)
{
	struct strbuf sb = { 0 };

	vfe_kcmdline_put(&sb, "ro", NULL);
	vfe_kcmdline_put(&sb, "acpi", "a b");
	vfe_kcmdline_put(&sb, "x", "");
	CHECK_STREQ(sb.s, "ro acpi=\"a b\" x=");
	sb_free(&sb);
}

/* Parameters after "--" are init's: an edit never puts ours there, nor finds them there. */
TEST(edits_stay_before_init_s_part)
{
	char *o = NULL, *rep = NULL;

	CHECK(vfe_kparams_add("ro quiet -- single", "iommu=pt", &o, &rep) == 1);
	CHECK_STREQ(o, "ro quiet iommu=pt -- single");
	free(o);
	CHECK(vfe_kparams_add("ro -- iommu=pt", "iommu=pt", &o, &rep) == 1);
	CHECK_STREQ(o, "ro iommu=pt -- iommu=pt");
	free(o);
	CHECK(!vfe_kparams_has("ro -- iommu=pt", "iommu=pt"));
	CHECK(vfe_kparams_has("ro iommu-x=1", "iommu_x=1"));
	CHECK(vfe_kparams_remove("ro iommu=pt -- iommu=pt", "iommu=pt", NULL, &o) == 1);
	CHECK_STREQ(o, "ro -- iommu=pt");
	free(o);
}

TEST(edits_keep_words_as_written)
{
	char *o = NULL, *rep = NULL;

	CHECK(vfe_kparams_add("ro  acpi=\"a b\"\tintel-iommu=off", "intel_iommu=on", &o, &rep) == 1);
	CHECK_STREQ(o, "ro acpi=\"a b\" intel_iommu=on");
	CHECK_STREQ(rep, "intel-iommu=off");
	free(o);
	free(rep);
}

TAP_MAIN()

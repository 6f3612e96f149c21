// Stage 4 planning and drawing: proportions, quotas, empty cases, errors.

#include <gtest/gtest.h>

#include <set>

#include "core/error.hpp"
#include "curriculum/replay_mix.hpp"

namespace medvlm {
namespace {

std::vector<TrainingSample> pool(int stage, size_t count) {
    std::vector<TrainingSample> samples;
    for (size_t i = 0; i < count; ++i) {
        TrainingSample sample;
        sample.id = "s" + std::to_string(stage) + "-" + std::to_string(i);
        sample.stage = stage;
        samples.push_back(sample);
    }
    return samples;
}

TEST(ReplayMix, ParseAndReject) {
    const ReplayMix mix = parse_replay_mix("stage2=3,instruction=1");
    EXPECT_DOUBLE_EQ(mix.proportions.at("stage2"), 3.0);
    EXPECT_DOUBLE_EQ(mix.proportions.at("stage1"), 0.0);
    EXPECT_THROW((void)parse_replay_mix("stage5=1"), InputError);
    EXPECT_THROW((void)parse_replay_mix("stage1=-1"), InputError);
    EXPECT_THROW((void)parse_replay_mix("stage1=abc"), InputError);
    EXPECT_THROW((void)parse_replay_mix("stage1=0"), InputError);
    EXPECT_THROW((void)parse_replay_mix("stage1=1,stage1=2"), InputError);
}

TEST(ReplayMix, EmptyWithoutInstructionSamples) {
    const ReplayPlan plan = plan_replay(ReplayMix{}, {{"stage1", 10}, {"stage2", 10}, {"instruction", 0}}, 0);
    EXPECT_EQ(plan.size, 0u);
    EXPECT_NE(plan.empty_reason.find("no instruction samples"), std::string::npos);
}

TEST(ReplayMix, RenormalizesOverNonEmptyPools) {
    // Default weights 0.2 / 0.4 / 0.2 / 0.2 with stage 3 empty: 0.25 / 0.5 / 0.25.
    const ReplayPlan plan = plan_replay(ReplayMix{}, {{"stage1", 100}, {"stage2", 1000}, {"stage3", 0},
                                                      {"instruction", 40}}, 0);
    EXPECT_TRUE(plan.empty_reason.empty());
    EXPECT_DOUBLE_EQ(plan.effective_proportions.at("stage2"), 0.5);
    EXPECT_FALSE(plan.effective_proportions.contains("stage3"));
    // The instruction pool (40 at 0.25) limits the size to 160.
    EXPECT_EQ(plan.size, 160u);
    EXPECT_EQ(plan.quotas.at("instruction"), 40u);
    EXPECT_EQ(plan.quotas.at("stage2"), 80u);
    EXPECT_EQ(plan.quotas.at("stage1"), 40u);
}

TEST(ReplayMix, QuotasAddUpAndOversizeIsRejected) {
    const ReplayPlan plan = plan_replay(parse_replay_mix("stage1=1,stage2=1,instruction=1"),
                                        {{"stage1", 50}, {"stage2", 50}, {"instruction", 50}}, 10);
    EXPECT_EQ(plan.quotas.at("stage1") + plan.quotas.at("stage2") + plan.quotas.at("instruction"), 10u);
    try {
        (void)plan_replay(ReplayMix{}, {{"stage1", 5}, {"stage2", 5}, {"instruction", 5}}, 100);
        FAIL() << "expected an InputError";
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("--replay-size 100"), std::string::npos) << e.what();
    }
}

TEST(ReplayMix, DrawIsSeededDistinctAndMarked) {
    const std::map<std::string, std::vector<TrainingSample>> pools = {
        {"stage1", pool(1, 30)}, {"stage2", pool(2, 30)}, {"stage3", {}}, {"instruction", pool(4, 10)}};
    const ReplayPlan plan = plan_replay(ReplayMix{}, {{"stage1", 30}, {"stage2", 30}, {"instruction", 10}}, 0);
    const auto first = draw_replay(plan, pools, 3);
    const auto again = draw_replay(plan, pools, 3);
    const auto other = draw_replay(plan, pools, 4);
    ASSERT_EQ(first.size(), plan.size);
    std::set<std::string> ids;
    std::map<int, size_t> by_origin;
    for (size_t i = 0; i < first.size(); ++i) {
        EXPECT_EQ(first[i].id, again[i].id);
        EXPECT_EQ(first[i].stage, 4);
        EXPECT_EQ(first[i].id.rfind("replay:", 0), 0u);
        ids.insert(first[i].id);
        ++by_origin[first[i].replay_of_stage];
    }
    EXPECT_EQ(ids.size(), first.size());
    EXPECT_EQ(by_origin[0], plan.quotas.at("instruction"));
    EXPECT_EQ(by_origin[1], plan.quotas.at("stage1"));
    bool differs = false;
    for (size_t i = 0; i < first.size(); ++i) {
        differs = differs || first[i].id != other[i].id;
    }
    EXPECT_TRUE(differs);
}

}  // namespace
}  // namespace medvlm

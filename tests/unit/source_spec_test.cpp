// SPEC parsing: keys, defaults, escapes and the errors users see.

#include <gtest/gtest.h>

#include "core/error.hpp"
#include "sources/source_spec.hpp"

namespace medvlm {
namespace {

std::string error_of(std::string_view text) {
    try {
        (void)parse_source_spec(text);
    } catch (const InputError& e) {
        return e.what();
    }
    return "";
}

TEST(SourceSpec, AllKeys) {
    const SourceSpec spec =
        parse_source_spec("benchmark=vqa-rad,data=rad/train.json,images=rad/images,split=train,name=rad-train");
    EXPECT_EQ(spec.kind, SourceKind::VqaRad);
    EXPECT_EQ(spec.data_file, "rad/train.json");
    EXPECT_EQ(spec.image_root, "rad/images");
    EXPECT_EQ(spec.split, "train");
    EXPECT_EQ(spec.name, "rad-train");
    EXPECT_EQ(spec.lang, "");
}

TEST(SourceSpec, SlakeDefaultsToAllLanguages) {
    EXPECT_EQ(parse_source_spec("benchmark=slake,data=t.json,images=i").lang, "all");
    EXPECT_EQ(parse_source_spec("benchmark=slake,data=t.json,images=i,lang=zh").lang, "zh");
}

TEST(SourceSpec, EscapedCommaAndBackslash) {
    const SourceSpec spec = parse_source_spec("benchmark=generic,data=a\\,b.jsonl,images=c\\\\d");
    EXPECT_EQ(spec.data_file, "a,b.jsonl");
    EXPECT_EQ(spec.image_root, "c\\d");
}

TEST(SourceSpec, EqualsSignInValueIsKept) {
    EXPECT_EQ(parse_source_spec("benchmark=generic,data=x=1.jsonl,images=i").data_file, "x=1.jsonl");
}

TEST(SourceSpec, InstructionMayOmitImages) {
    const SourceSpec spec = parse_source_spec("benchmark=instruction,data=chat.jsonl");
    EXPECT_EQ(spec.kind, SourceKind::Instruction);
    EXPECT_TRUE(spec.image_root.empty());
}

TEST(SourceSpec, Errors) {
    EXPECT_NE(error_of("benchmark=pathvqa,data=x,images=y").find("unknown benchmark 'pathvqa'"), std::string::npos);
    EXPECT_NE(error_of("benchmark=slake,images=y").find("missing 'data='"), std::string::npos);
    EXPECT_NE(error_of("benchmark=slake,data=x").find("missing 'images=DIR'"), std::string::npos);
    EXPECT_NE(error_of("benchmark=slake,data=x,images=y,colour=red").find("unknown key 'colour'"), std::string::npos);
    EXPECT_NE(error_of("benchmark=slake,data=x,data=z,images=y").find("'data' is given twice"), std::string::npos);
    EXPECT_NE(error_of("benchmark=vqa-rad,data=x,images=y,lang=en").find("only to benchmark=slake"),
              std::string::npos);
    EXPECT_NE(error_of("benchmark=slake,data=x,images=y,lang=fr").find("en, zh or all"), std::string::npos);
    EXPECT_NE(error_of("benchmark=slake,data=x,,images=y").find("empty item"), std::string::npos);
    EXPECT_NE(error_of("benchmark=slake,data=x,images").find("not KEY=VALUE"), std::string::npos);
    EXPECT_NE(error_of("benchmark=slake,data=x\\y,images=z").find("backslash"), std::string::npos);
    EXPECT_NE(error_of("benchmark=slake,data=,images=z").find("empty value"), std::string::npos);
}

}  // namespace
}  // namespace medvlm

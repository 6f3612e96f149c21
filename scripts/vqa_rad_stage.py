#!/usr/bin/env python3
"""Write a training stage file (docs/training-format.md) from the VQA-RAD
train records, for trying `medvlm train` before `medvlm curriculum` is at
hand. No leakage filtering is applied, and nearly every VQA-RAD test image
also appears in train questions, so a model trained on this file cannot be
evaluated fairly on VQA-RAD test.

  scripts/vqa_rad_stage.py ../shared/data/vqa_rad OUT.jsonl [--limit N]
"""

import argparse
import hashlib
import json
import os
import sys

PROMPT_SUFFIX = "\nAnswer with a word or a short phrase."


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("vqa_rad_dir", help="folder with VQA_RAD_Dataset_Public.train.json and images/")
    parser.add_argument("out", help="stage file to write")
    parser.add_argument("--limit", type=int, default=0, help="keep only the first N records (0: all)")
    args = parser.parse_args()

    records_file = os.path.join(args.vqa_rad_dir, "VQA_RAD_Dataset_Public.train.json")
    with open(records_file, encoding="utf-8") as handle:
        records = json.load(handle)
    hashes = {}
    lines = []
    for record in records:
        if record["phrase_type"] not in ("freeform", "para"):
            continue  # test_freeform and test_para are the test split
        image = os.path.abspath(os.path.join(args.vqa_rad_dir, "images", record["image_name"]))
        if image not in hashes:
            with open(image, "rb") as handle:
                hashes[image] = hashlib.sha256(handle.read()).hexdigest()
        lines.append({
            "id": f"vqa-rad:train:{record['qid']}",
            "stage": 2,
            "source": {"benchmark": "vqa-rad", "file": os.path.basename(records_file), "record_id": str(record["qid"])},
            "images": [image],
            "image_sha256": [hashes[image]],
            "prompt": record["question"].strip() + PROMPT_SUFFIX,
            "answer": str(record["answer"]).strip(),
        })
        if args.limit and len(lines) == args.limit:
            break
    with open(args.out, "w", encoding="utf-8") as handle:
        for line in lines:
            handle.write(json.dumps(line, ensure_ascii=False) + "\n")
    print(f"wrote {len(lines)} records from {len(hashes)} images to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

r"""VERIFY.md and VERIFY.zh.md: how to check a bundle with sha256sum, python3 and openssl, without portcheck.

The ``sh`` code blocks are identical in both languages, and a test runs them, in order, in one shell, in a
bundle folder (they must succeed on an untouched bundle and fail on a tampered one). ``@@NAME@@`` markers
are filled in by :func:`portcheck.evidence.bundle.write_bundle`.
"""

from __future__ import annotations

_STEP_MANIFEST = r"""```sh
sha256sum -c MANIFEST.sha256
```"""

_STEP_EXTRACT = r"""```sh
W=$(mktemp -d)
python3 - "$W" <<'PY'
import base64, json, sys
w = sys.argv[1]
with open("report.intoto.jsonl", "rb") as f:
    envelope = json.loads(f.readline())
payload = base64.b64decode(envelope["payload"])
ptype = envelope["payloadType"].encode("utf-8")
with open(w + "/payload.json", "wb") as f:
    f.write(payload)
with open(w + "/sig.bin", "wb") as f:
    f.write(base64.b64decode(envelope["signatures"][0]["sig"]))
with open(w + "/pae.bin", "wb") as f:
    f.write(b"DSSEv1 %d %s %d %s" % (len(ptype), ptype, len(payload), payload))
print("the envelope names key ID", envelope["signatures"][0]["keyid"])
PY
```"""

_STEP_SIGNATURE = r"""```sh
openssl pkeyutl -verify -pubin -inkey public.pem -rawin -in "$W/pae.bin" -sigfile "$W/sig.bin"
```"""

_STEP_KEY_ID = r"""```sh
openssl pkey -pubin -in public.pem -outform DER | tail -c 32 | sha256sum
```"""

_STEP_SUBJECTS = r"""```sh
python3 - "$W" <<'PY'
import json, sys
w = sys.argv[1]
with open(w + "/payload.json", encoding="utf-8") as f:
    statement = json.load(f)
assert statement["_type"] == "https://in-toto.io/Statement/v1", "not an in-toto Statement v1"
ptype = statement["predicateType"]
assert ptype == "https://portcheck.dev/attestation/report/v1", "not the predicate type of portcheck's reports"
with open(w + "/signed.sha256", "w", encoding="utf-8") as out:
    for s in statement["subject"]:
        if "/" not in s["name"]:
            out.write(s["digest"]["sha256"] + "  " + s["name"] + "\n")
for role in ("export", "reference"):
    with open(w + "/" + role + ".sha256", "w", encoding="utf-8") as out:
        for s in statement["subject"]:
            if s["name"].startswith(role + "/"):
                out.write(s["digest"]["sha256"] + "  " + s["name"][len(role) + 1:] + "\n")
print("signed verdict:", statement["predicate"]["verdict"])
PY
sha256sum -c "$W/signed.sha256"
grep -Fx "$(sha256sum report.json | cut -c1-64)  report.json" "$W/signed.sha256"
```"""

_STEP_INPUTS = r"""```sh
if [ -n "${EXPORT:-}" ]; then (cd "$EXPORT" && sha256sum -c "$W/export.sha256"); fi
if [ -n "${REFERENCE:-}" ]; then (cd "$REFERENCE" && sha256sum -c "$W/reference.sha256"); fi
```"""

VERIFY_EN = f"""# Verifying this evidence without portcheck

This is a signed portcheck report. The signature (Ed25519, in a DSSE envelope: `report.intoto.jsonl`) covers
an in-toto statement that names every file of this bundle and every input file (the vendor's export and the
reference it was compared with) by its SHA-256. Anyone can check it with three standard tools:

- `sha256sum` (GNU coreutils; on macOS replace `sha256sum` by `shasum -a 256`),
- `python3` (3.5 or later, standard library only),
- `openssl` 3.0 or later (`openssl version`; Ed25519 with `-rawin` needs it; macOS's LibreSSL lacks it).

## What this bundle states

These lines are a convenience and are not signed; the steps below check them.

- Verdict: **@@VERDICT@@** (report generated at @@GENERATED_AT@@)
- Signed by key ID `@@KEY_ID@@` (the SHA-256 of the raw Ed25519 public key in `public.pem`)
- `report.json` SHA-256: `@@REPORT_SHA256@@`
- Signed files: @@FILE_COUNT@@ in this bundle, @@EXPORT_COUNT@@ export files,
  @@REFERENCE_COUNT@@ reference files

## Steps

Unpack the .zip if you received one, open a terminal in the bundle folder, and paste the blocks below in
order into the same shell (step 2 sets `$W`, a scratch folder the later steps use). A check that fails prints
an error (`FAILED`, `Signature Verification Failure`, a Python `AssertionError`) and exits non-zero.

### 1. The files arrived intact

{_STEP_MANIFEST}

Every line must end in `OK`. The manifest itself is not signed: it catches damage in transit; steps 3 and 5
check the files against the signature.

### 2. Take the signed statement, the signature and the signed bytes out of the envelope

The envelope holds the statement (`payload`, base64) and the signature (`sig`, base64). What was signed is the
DSSE pre-authentication encoding of the statement: `DSSEv1 <length of payloadType> <payloadType> <length of
payload> <payload>`, lengths in bytes as decimal numbers, single spaces between the parts.

{_STEP_EXTRACT}

### 3. The signature is valid

{_STEP_SIGNATURE}

It must print `Signature Verified Successfully`. Any change to the statement — a digest, a verdict, a figure —
makes it print `Signature Verification Failure`.

### 4. The key is the signer's

{_STEP_KEY_ID}

The printed value is the key ID. It must equal `@@KEY_ID@@` **and** the key ID the signer gave you through
another channel (the contract annex, an email, their website). A valid signature by a key you cannot tie to
the signer proves only that the files are unaltered since *someone* signed them.

### 5. The signed statement names these files, with these hashes

{_STEP_SUBJECTS}

`sha256sum -c` must print `OK` for every file, and the last command must print the line for `report.json`:
its SHA-256 is the digest the signed statement gives it. Any file in this folder that `signed.sha256` and the
manifest do not list (other than `public.pem`, `MANIFEST.sha256`, `VERIFY*.md`, `archive-receipt.json` and the
envelope) is not part of the evidence.

### 6. (Optional) The export and the reference are the files the report speaks of

In the same shell, set `EXPORT` (and `REFERENCE`) to the folder holding the files you were given — for an
export that is a single file or a .zip, the folder that file is in — for example `EXPORT=/path/to/export`.
Then:

{_STEP_INPUTS}

Each signed input file must print `OK`. (`sha256sum -c` does not notice extra files in those folders;
`portcheck verify BUNDLE --export PATH --reference PATH` does.)

## With portcheck

`portcheck verify BUNDLE [--pubkey public.pem] [--export PATH] [--reference PATH]` runs all of the above and
names what broke; exit code 0 valid, 1 invalid, 2 unusable.
"""

VERIFY_ZH = f"""# 不使用 portcheck 核验本证据包

这是一份经过签名的 portcheck 报告。签名（Ed25519，封装在 DSSE 信封
`report.intoto.jsonl` 中）覆盖一份 in-toto 声明，该声明以 SHA-256 列出本证据包中的
每个文件，以及每个输入文件（供应商的导出数据和与之比对的参照数据）。
任何人都可以用三个通用工具核验：

- `sha256sum`（GNU coreutils；macOS 上请把 `sha256sum` 换成 `shasum -a 256`）；
- `python3`（3.5 及以上，只用标准库）；
- `openssl` 3.0 及以上（用 `openssl version` 查看；Ed25519 的 `-rawin` 需要 3.0；
  macOS 自带的 LibreSSL 不支持）。

## 本证据包声明的内容

以下几行仅为方便阅读，本身未签名；下面的步骤会逐项核验。

- 结论：**@@VERDICT@@**（报告生成于 @@GENERATED_AT@@）
- 签名密钥 ID：`@@KEY_ID@@`（`public.pem` 中 Ed25519 原始公钥的 SHA-256）
- `report.json` 的 SHA-256：`@@REPORT_SHA256@@`
- 已签名文件：本证据包内 @@FILE_COUNT@@ 个，导出文件 @@EXPORT_COUNT@@ 个，参照文件 @@REFERENCE_COUNT@@ 个

## 步骤

如收到的是 .zip，请先解压；在证据包文件夹中打开终端，按顺序把下面的代码块粘贴到
同一个 shell 中执行（第 2 步设置临时文件夹 `$W`，后续步骤会用到）。任何一项核验失败
都会输出错误（`FAILED`、`Signature Verification Failure` 或 Python 的
`AssertionError`）并以非零状态退出。

### 1. 文件传输完好

{_STEP_MANIFEST}

每一行都必须以 `OK` 结尾。清单文件本身没有签名，只用于发现传输损坏；第 3 步和第 5 步才是对照签名核验文件。

### 2. 从信封中取出已签名的声明、签名值和被签名的字节

信封中包含声明（`payload`，base64）和签名（`sig`，base64）。被签名的是声明的
DSSE 预认证编码（PAE）：`DSSEv1 <payloadType 的长度> <payloadType> <payload 的长度>
<payload>`，长度按字节计、用十进制表示，各部分之间用一个空格分隔。

{_STEP_EXTRACT}

### 3. 签名有效

{_STEP_SIGNATURE}

必须输出 `Signature Verified Successfully`。声明中的任何改动（一个摘要、结论或数字）都会导致输出
`Signature Verification Failure`。

### 4. 密钥属于签名方

{_STEP_KEY_ID}

输出的值就是密钥 ID。它必须等于 `@@KEY_ID@@`，**并且**等于签名方通过其他渠道
（合同附件、电子邮件、官方网站）提供给您的密钥 ID。如果无法把密钥与签名方对应起来，
有效的签名只能证明文件自*某人*签名以来未被改动。

### 5. 已签名的声明列出的正是这些文件和这些哈希值

{_STEP_SUBJECTS}

`sha256sum -c` 必须对每个文件输出 `OK`，最后一条命令必须输出 `report.json` 那一行：
它的 SHA-256 正是已签名声明中记录的摘要。本文件夹中未被 `signed.sha256` 和清单列出的
文件（`public.pem`、`MANIFEST.sha256`、`VERIFY*.md`、`archive-receipt.json`
和信封除外）不属于证据。

### 6.（可选）导出数据和参照数据正是报告所针对的文件

在同一个 shell 中，把 `EXPORT`（以及 `REFERENCE`）设置为存放您收到的文件的文件夹——如果导出是单个文件或 .zip，
则为该文件所在的文件夹——例如 `EXPORT=/path/to/export`。然后执行：

{_STEP_INPUTS}

每个已签名的输入文件都必须输出 `OK`。（`sha256sum -c` 不会发现这些文件夹中多出的文件；
`portcheck verify BUNDLE --export PATH --reference PATH` 会。）

## 使用 portcheck

`portcheck verify BUNDLE [--pubkey public.pem] [--export PATH] [--reference PATH]`
会执行以上全部核验并指出哪里出了问题；退出码 0 表示有效，1 表示无效，2 表示无法核验。
"""

VERIFY_DOCS = {"VERIFY.md": VERIFY_EN, "VERIFY.zh.md": VERIFY_ZH}

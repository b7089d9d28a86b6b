# The Python recipes of docs/clients.md (openai and anthropic), run by test/clients/python.test.ts:
# a call, a stream and a refusal for each; prints one JSON object with what the clients returned.
import json
import os
import sys

import anthropic
import openai

token = os.environ["AKC_TOKEN"]
out = {}

oa = openai.OpenAI(base_url=os.environ["OPENAI_BASE_URL"], api_key=token)
out["openai_call"] = oa.chat.completions.create(
    model="gpt-4o-mini", messages=[{"role": "user", "content": "hi"}]
).choices[0].message.content
text = ""
for chunk in oa.chat.completions.create(
    model="gpt-4o-mini", messages=[{"role": "user", "content": "hi"}], stream=True
):
    if chunk.choices and chunk.choices[0].delta.content:
        text += chunk.choices[0].delta.content
out["openai_stream"] = text
try:
    oa.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "hi"}])
    out["openai_refusal"] = None
except openai.PermissionDeniedError as e:
    out["openai_refusal"] = str(e)
    out["openai_refusal_code"] = e.code

an = anthropic.Anthropic(base_url=os.environ["ANTHROPIC_BASE_URL"], api_key=token)
msg = an.messages.create(
    model="claude-haiku-4-5", max_tokens=100, messages=[{"role": "user", "content": "hi"}]
)
out["anthropic_call"] = msg.content[0].text
with an.messages.stream(
    model="claude-haiku-4-5", max_tokens=100, messages=[{"role": "user", "content": "hi"}]
) as stream:
    out["anthropic_stream"] = "".join(stream.text_stream)
try:
    an.messages.create(
        model="claude-opus-4-1", max_tokens=10, messages=[{"role": "user", "content": "hi"}]
    )
    out["anthropic_refusal"] = None
except anthropic.PermissionDeniedError as e:
    out["anthropic_refusal"] = str(e)

json.dump(out, sys.stdout)

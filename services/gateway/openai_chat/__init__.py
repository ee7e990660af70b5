"""The OpenAI chat completions contract (/work/shared/contracts/openai-chat.md): its errors, request
validation and the responses and stream chunks the gateway writes itself."""

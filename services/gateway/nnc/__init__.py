"""The Neural Network Console "Publish API" adapter: request decoding and response encoding."""

"""联户考评: year-end assessment of 网格长 and 联户长 under the 网格化 + 十户联防 model."""

"""Reading and segmenting German source documents: source formats by suffix (`sources.SOURCES`),
the bytes and their decoding (`reading`), blocks and sentences (`blocks`, `sentences`), and the
`Document` skeleton every output is rebuilt from (`model`)."""

"""Reading and segmenting German source documents."""

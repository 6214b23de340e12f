"""Product and FAQ retrieval: embeddings, Chroma collections, BM25, hybrid fusion and query understanding."""

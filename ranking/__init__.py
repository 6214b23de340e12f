"""Personalized ranking: shopper profiles, collaborative signal, reranking, recommendations, privacy."""

"""The demo shop: a deterministic catalog, policies, shoppers with latent tastes, behaviour, orders and reviews."""

from commerce.demo.shop import DemoShop, clear_shop, generate_shop, shop_exists, write_shop

__all__ = ["DemoShop", "clear_shop", "generate_shop", "shop_exists", "write_shop"]

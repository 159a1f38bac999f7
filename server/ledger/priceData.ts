// Its own bundle (dist/priceData.js, ~0.5 MB of price data), loaded on the first priced call.
export { calcPrice } from '@pydantic/genai-prices';

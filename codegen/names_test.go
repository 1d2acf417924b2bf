package codegen

import "testing"

func TestNames(t *testing.T) {
	for _, tt := range []struct{ in, exported, unexported, snake string }{
		{"orderId", "OrderID", "orderID", "order_id"},
		{"OrderPlaced", "OrderPlaced", "orderPlaced", "order_placed"},
		{"MOBILE_APP", "MobileApp", "mobileApp", "mobile_app"},
		{"unitPriceCents", "UnitPriceCents", "unitPriceCents", "unit_price_cents"},
		{"HTTPServer", "HTTPServer", "httpServer", "http_server"},
		{"postal_code", "PostalCode", "postalCode", "postal_code"},
		{"sku", "SKU", "sku", "sku"},
		{"type", "Type", "type_", "type"},
		{"_x", "X", "x", "x"},
		{"v2", "V2", "v2", "v2"},
		{"WEB", "Web", "web", "web"},
		{"uuid", "UUID", "uuid", "uuid"},
	} {
		if got := exported(tt.in); got != tt.exported {
			t.Errorf("exported(%q) = %q, want %q", tt.in, got, tt.exported)
		}
		if got := unexported(tt.in); got != tt.unexported {
			t.Errorf("unexported(%q) = %q, want %q", tt.in, got, tt.unexported)
		}
		if got := snake(exported(tt.in)); got != tt.snake {
			t.Errorf("snake(%q) = %q, want %q", exported(tt.in), got, tt.snake)
		}
	}
}

/* true: exit at once with status 0; what fork + exec + exit costs, without output. */
#include "user.h"

int main(void)
{
	return 0;
}
